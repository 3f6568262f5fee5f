package dev.lockwise.bootstrap.cli;

import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.bootstrap.demo.Narrator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** A command that runs against the database: settings from the global options, then a {@link Session}. */
abstract class SessionCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    PrintWriter out;
    Narrator narrator;

    @Override
    public final Integer call() throws Exception {
        global = global.over(root() == null ? null : root().global);
        LockwiseCommand.applyVerbosity(global);
        out = out != null ? out : spec.commandLine().getOut();
        Settings settings = global.settings(environment());
        validate();
        settings = adjust(settings);
        narrator = new Narrator(out);
        try (Session session = new Session(settings, out, narrator)) {
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

    /** A command may adapt the settings to its needs (the bench sizes the pool to its callers). */
    Settings adjust(Settings settings) {
        return settings;
    }

    abstract int run(Session session) throws Exception;
}
