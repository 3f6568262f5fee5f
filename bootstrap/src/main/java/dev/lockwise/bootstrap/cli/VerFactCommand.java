package dev.lockwise.bootstrap.cli;

import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verfact", mixinStandardHelpOptions = true, description = "Record and process verfacts.",
        subcommands = {VerFactCommand.Add.class, VerFactCommand.Process.class, VerFactCommand.ListFacts.class})
final class VerFactCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Insert a new, unprocessed fact.")
    static final class Add extends SessionCommand {
        @Override
        int run(Session session) {
            VerFact fact = session.get(RecordVerFact.class).record();
            out.printf("added verfact %d (state %s, version %d)%n", fact.id().value(), fact.state().code(),
                    fact.version());
            return ExitCodes.OK;
        }
    }

    @Command(name = "process", mixinStandardHelpOptions = true,
            description = "Mark a fact processed; exactly one caller wins, the others learn it was already done.")
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
            out.printf("verfact %d: %s%n", factId.value(), outcome == ProcessingOutcome.PROCESSED_BY_THIS_CALL
                    ? "processed by this call" : "was already processed");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print every fact.")
    static final class ListFacts extends SessionCommand {
        @Override
        int run(Session session) {
            out.printf("%4s | %-5s | %-9s | %s%n", "id", "state", "processed", "version");
            for (VerFact fact : session.get(VerFactRepository.class).findAll()) {
                out.printf("%4d | %-5s | %-9s | %d%n", fact.id().value(), fact.state().code(), fact.processed(),
                        fact.version());
            }
            return ExitCodes.OK;
        }
    }
}
