package io.jxrp.bench.harness;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * RFC 4180 CSV through Commons CSV, from rows of named columns (the header is the first row's keys,
 * in order). Numbers print with a dot and at most 7 significant digits, whole numbers without a
 * fraction; a non-finite number prints as an empty field.
 */
final class Csv {
    private static final MathContext SIGNIFICANT = new MathContext(7);

    private Csv() {
    }

    static void write(Path file, List<Map<String, Object>> rows) throws IOException {
        if (rows.isEmpty()) {
            Files.writeString(file, "", StandardCharsets.UTF_8);
            return;
        }
        try (Appender out = Appender.create(file, new ArrayList<>(rows.getFirst().keySet()))) {
            for (Map<String, Object> row : rows) {
                out.append(row);
            }
        }
    }

    /** A CSV file written a row at a time, each row on disk once {@link #append} returns. */
    static final class Appender implements Closeable {
        private final List<String> header;
        private final CSVPrinter printer;

        private Appender(List<String> header, CSVPrinter printer) {
            this.header = List.copyOf(header);
            this.printer = printer;
        }

        /** A new file (replacing any) holding the header. */
        static Appender create(Path file, List<String> header) throws IOException {
            BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            CSVPrinter printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get());
            printer.flush();
            return new Appender(header, printer);
        }

        void append(Map<String, Object> row) throws IOException {
            List<Object> fields = new ArrayList<>(header.size());
            for (String column : header) {
                fields.add(field(row.get(column)));
            }
            printer.printRecord(fields);
            printer.flush();
        }

        @Override
        public void close() throws IOException {
            printer.close();
        }
    }

    /** Every row of a CSV file with a header: column name to text (empty for a missing number). */
    static List<Map<String, String>> read(Path file) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            for (CSVRecord record : parser) {
                rows.add(new LinkedHashMap<>(record.toMap()));
            }
        }
        return rows;
    }

    static String field(Object value) {
        return switch (value) {
            case null -> "";
            case Double d -> number(d);
            case Float f -> number(f.doubleValue());
            default -> value.toString();
        };
    }

    static String number(double d) {
        if (!Double.isFinite(d)) {
            return "";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        BigDecimal rounded = new BigDecimal(d).round(SIGNIFICANT).stripTrailingZeros();
        return Math.abs(d) >= 1e-4 ? rounded.toPlainString() : rounded.toString();
    }
}
