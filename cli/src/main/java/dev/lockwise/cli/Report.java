package dev.lockwise.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockwise.cli.config.Settings;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a command tells its caller on stdout: a sentence for people ({@code --output text}, the default), or one JSON
 * object per result, on one line, for scripts ({@code --output json}). Field names are snake_case and stable;
 * amounts are strings with two decimals (never floating point).
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final boolean json;

    Report(PrintWriter out, Settings.Output output) {
        this.out = out;
        this.json = output == Settings.Output.JSON;
    }

    boolean json() {
        return json;
    }

    /** One result: the sentence in text mode, the fields as one JSON object in JSON mode. */
    void result(String sentence, Map<String, ?> fields) {
        out.println(json ? toJson(fields) : sentence);
        out.flush();
    }

    /** Fields in the order given: {@code fields("account_id", 7, "balance", "10.00")}. */
    static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return fields;
    }

    /** An error as the one JSON object stderr gets in JSON mode. */
    static String error(String message, int exitCode) {
        return toJson(fields("error", message, "exit_code", exitCode));
    }

    static String toJson(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fields that are not JSON: " + fields.keySet(), e);
        }
    }
}
