package org.deconv3d.spark;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** A line on the driver's console per finished partition, with the count so far (Spark's UI has the rest). */
final class ProgressListener extends SparkListener {

    private final PrintStream out;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int total;

    ProgressListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stage) {
        total = stage.stageInfo().numTasks();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo().successful()) {
            out.printf("[deconv3d] partition %d done (%d of %d)%n", end.taskInfo().partitionId(),
                    done.incrementAndGet(), total);
        } else {
            failed.incrementAndGet();
            out.printf("[deconv3d] partition %d attempt %d failed (%s); Spark retries it%n",
                    end.taskInfo().partitionId(), end.taskInfo().attemptNumber(), end.reason());
        }
    }

    /** Task attempts that failed (and were retried). */
    int failedAttempts() {
        return failed.get();
    }
}
