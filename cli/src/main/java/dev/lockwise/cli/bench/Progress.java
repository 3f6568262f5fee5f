package dev.lockwise.cli.bench;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Where the bench reports how far it is. */
public interface Progress extends AutoCloseable {
    Progress NONE = new Progress() {
        @Override
        public void start(long total) {
        }

        @Override
        public void step(String label) {
        }

        @Override
        public void close() {
        }
    };

    void start(long total);

    /** One cell started; {@code label} says which. */
    void step(String label);

    @Override
    void close();

    /** A live progress bar on the terminal (stderr), from the progressbar library. */
    static Progress bar() {
        return new Progress() {
            private ProgressBar bar;
            private boolean first = true;

            @Override
            public void start(long total) {
                bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
            }

            @Override
            public void step(String label) {
                if (!first) {
                    bar.step();
                }
                first = false;
                bar.setExtraMessage(label);
            }

            @Override
            public void close() {
                if (bar != null) {
                    bar.stepTo(bar.getMax());
                    bar.close();
                }
            }
        };
    }
}
