package dev.lockwise.cli;

import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "verfact", mixinStandardHelpOptions = true, description = "Record and process verfacts.",
        subcommands = {VerFactCommand.Add.class, VerFactCommand.Process.class, VerFactCommand.ListFacts.class})
final class VerFactCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Insert a new, unprocessed fact.")
    static final class Add extends SessionCommand {
        @Override
        int run(Session session) {
            VerFact fact = session.get(RecordVerFact.class).record();
            report.result(String.format("added verfact %d (state %s, version %d)", fact.id().value(),
                    fact.state().code(), fact.version()), fields(fact));
            return ExitCodes.OK;
        }
    }

    @Command(name = "process", mixinStandardHelpOptions = true,
            description = "Mark a fact processed; exactly one caller wins, the others learn it was already done"
                    + " (processed_by_this_call=false). Exit 0 either way; 1 if there is no such fact.")
    static final class Process extends SessionCommand {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "The fact's id.")
        String id;

        private VerFactId factId;

        @Override
        void validate() {
            factId = VerFactId.parse(id);
        }

        @Override
        int run(Session session) {
            ProcessingOutcome outcome = session.get(SetAsProcessed.class).process(factId);
            boolean mine = outcome == ProcessingOutcome.PROCESSED_BY_THIS_CALL;
            report.result(String.format("verfact %d: %s", factId.value(), mine ? "processed by this call"
                    : "was already processed"), Report.fields("verfact_id", factId.value(),
                    "processed_by_this_call", mine, "outcome", mine ? "processed" : "already_processed"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print every fact (with --output json: one object per fact, one per line).")
    static final class ListFacts extends SessionCommand {
        @Override
        int run(Session session) {
            if (!report.json()) {
                out.printf("%4s | %-5s | %-9s | %s%n", "id", "state", "processed", "version");
            }
            for (VerFact fact : session.get(VerFactRepository.class).findAll()) {
                report.result(String.format("%4d | %-5s | %-9s | %d", fact.id().value(), fact.state().code(),
                        fact.processed(), fact.version()), fields(fact));
            }
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> fields(VerFact fact) {
        return Report.fields("verfact_id", fact.id().value(), "state", fact.state().code(),
                "processed", fact.processed(), "version", fact.version());
    }
}
