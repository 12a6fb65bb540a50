/*
 * HotSpot's disassembler plugin protocol (what -XX:+PrintAssembly loads as hsdis-amd64.so),
 * implemented on Debian's capstone (libcapstone-dev): x86-64, Intel syntax. Built by scripts/hsdis.
 * HotSpot calls decode_instructions_virtual with a buffer of machine code; each instruction is
 * bracketed by the "insn" and "/insn" events (which HotSpot uses to print addresses and its own
 * annotations) and printed through HotSpot's printf callback.
 */
#include <stdint.h>
#include <stdio.h>
#include <capstone/capstone.h>

typedef void *(*event_callback)(void *stream, const char *event, void *arg);
typedef int (*printf_callback)(void *stream, const char *format, ...);

static void *no_events(void *stream, const char *event, void *arg)
{
	(void)stream;
	(void)event;
	(void)arg;
	return NULL;
}

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
				  event_callback events, void *event_stream, printf_callback print, void *print_stream,
				  const char *options, int newline)
{
	(void)end_va;
	(void)options;
	csh handle;
	cs_insn *insn;
	if (events == NULL)
		events = no_events;
	if (print == NULL) {
		print = (printf_callback)fprintf;
		if (print_stream == NULL)
			print_stream = stdout;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
		return NULL;
	cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
	cs_option(handle, CS_OPT_SKIPDATA, CS_OPT_ON); /* data in the code (jump tables) as .byte, not a stop */
	size_t count = cs_disasm(handle, buffer, length, start_va, 0, &insn);
	for (size_t i = 0; i < count; i++) {
		events(event_stream, "insn", (void *)(uintptr_t)insn[i].address);
		print(print_stream, "%s\t%s", insn[i].mnemonic, insn[i].op_str);
		events(event_stream, "/insn", (void *)(uintptr_t)(insn[i].address + insn[i].size));
		if (newline)
			print(print_stream, "\n");
	}
	if (count > 0)
		cs_free(insn, count);
	cs_close(&handle);
	return NULL;
}
