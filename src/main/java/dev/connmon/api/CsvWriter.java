package dev.connmon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;

/**
 * CSV of the exports (docs/api.md §10.4): RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted, a
 * quote doubled) by Jackson's CSV writer. A cell that starts with {@code =}, {@code +}, {@code -}, {@code @}, tab or
 * carriage return gets a leading {@code '}, so that a spreadsheet shows it as text instead of running it as a
 * formula (CSV injection: client ids, user names, reasons come from devices). Absent values are empty cells.
 */
final class CsvWriter {
    static final String MEDIA_TYPE = "text/csv";
    /** What the export methods produce: below JSON, so that a client that accepts anything gets JSON. */
    static final String PRODUCES = "text/csv;qs=0.5";

    private static final ObjectWriter WRITER = new CsvMapper()
            .writerFor(String[].class)
            .with(CsvSchema.emptySchema().withLineSeparator("\r\n"));

    private CsvWriter() {}

    /** Records, each ending with CRLF: one generator for the whole page, not one per record. */
    static String rows(List<Object[]> rows) {
        StringWriter out = new StringWriter(rows.size() * 200);
        try (SequenceWriter records = WRITER.writeValues(out)) {
            for (Object[] row : rows) {
                records.write(cells(row));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write CSV records", e);
        }
        return out.toString();
    }

    static String row(Object... values) {
        try {
            return WRITER.writeValueAsString(cells(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a CSV record", e);
        }
    }

    private static String[] cells(Object[] values) {
        String[] cells = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            cells[i] = cell(values[i]);
        }
        return cells;
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }
}
