package dev.lockwise.cli;

import dev.lockwise.cli.config.Settings;
import dev.lockwise.cli.db.DatabaseRuntime;
import dev.lockwise.cli.demo.Narrator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;
import java.util.concurrent.Callable;

/** A command that runs against the database: settings from the global options, then a {@link Session}. */
abstract class SessionCommand implements Callable<Integer> {
    /** Shown in a section of their own, after the command's own options. */
    @ArgGroup(validate = false, heading = "%nGlobal options (every command; see README for the environment):%n",
            order = 1000)
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    PrintWriter out;
    Narrator narrator;
    Report report;

    @Override
    public final Integer call() throws Exception {
        GlobalOptions own = global == null ? new GlobalOptions() : global;
        global = own.over(root() == null ? null : root().global);
        LockwiseCommand.applyVerbosity(global);
        out = out != null ? out : spec.commandLine().getOut();
        if (root() != null) {
            root().jsonRequested(global.output);
        }
        Settings settings = global.settings(environment());
        if (root() != null) {
            root().jsonErrors(settings.output() == Settings.Output.JSON);
        }
        report = new Report(out, settings.output());
        validate();
        settings = adjust(settings);
        settings = settings.sizedFor(connections(settings));
        // In JSON mode the narration (demo, lease events) goes nowhere: stdout carries only the JSON results.
        narrator = new Narrator(report.json() ? new PrintWriter(Writer.nullWriter()) : out);
        try (Session session = new Session(settings, use(), spec == null ? "lockwise" : spec.name(), err(), narrator)) {
            int code = run(session);
            out.flush();
            return code;
        }
    }

    /** The top-level command, whose options and environment this one inherits. */
    LockwiseCommand root() {
        if (spec == null) {
            return null;
        }
        Object root = spec.root().userObject();
        return root instanceof LockwiseCommand command ? command : null;
    }

    Map<String, String> environment() {
        return root() != null ? root().environment : System.getenv();
    }

    /** Checks the command's own input before any database work, so bad input fails fast and changes nothing. */
    void validate() {
    }

    /** What this command does with the database: ordinary work on the user's schema, unless it says otherwise. */
    DatabaseRuntime.Use use() {
        return DatabaseRuntime.Use.WORK;
    }

    PrintWriter err() {
        return spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
    }

    /**
     * The most connections this command uses at once (the pool is sized to it, capped by a {@code --pool-size} the
     * user gave): two for a one-shot command — its statement, and the schema check or a lease's renewal beside it.
     */
    int connections(Settings settings) {
        return 2;
    }

    /** A command may adapt the settings to its needs. */
    Settings adjust(Settings settings) {
        return settings;
    }

    abstract int run(Session session) throws Exception;
}
