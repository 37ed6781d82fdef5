using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

public sealed class StageQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DropOldest_FullQueue_KeepsTheNewestAndCountsDrops()
    {
        var dropped = new List<int>();
        var queue = new StageQueue<int>("raw", 3, QueueFullPolicy.DropOldest, dropped.Add);
        for (int i = 0; i < 10; i++) await queue.WriteAsync(i, Ct);
        queue.Complete();
        var kept = new List<int>();
        await foreach (var item in queue.Reader.ReadAllAsync(Ct)) kept.Add(item);
        Assert.Equal([7, 8, 9], kept);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], dropped);
        Assert.Equal(7, queue.Status.Dropped);
        Assert.Equal(10, queue.Status.Enqueued);
    }

    [Fact]
    public async Task Wait_SlowReader_LosesNothing()
    {
        var queue = new StageQueue<int>("keyframes", 2, QueueFullPolicy.Wait);
        var received = new List<int>();
        var stage = new PipelineStage<int>("integrate", queue, async (item, ct) => { await Task.Delay(1, ct); received.Add(item); });
        var run = stage.RunAsync(Ct);
        for (int i = 0; i < 50; i++) await queue.WriteAsync(i, Ct);
        queue.Complete();
        await run;
        Assert.Equal(Enumerable.Range(0, 50), received);
        Assert.Equal(0, queue.Status.Dropped);
        Assert.Equal(50, stage.Status.Processed);
    }

    [Fact]
    public async Task KeepNewest_CapacityOne_TheLatestWins()
    {
        var queue = new StageQueue<string>("targets", 1, QueueFullPolicy.KeepNewest);
        await queue.WriteAsync("a", Ct);
        await queue.WriteAsync("b", Ct);
        await queue.WriteAsync("c", Ct);
        queue.Complete();
        var items = new List<string>();
        await foreach (var item in queue.Reader.ReadAllAsync(Ct)) items.Add(item);
        Assert.Equal(["c"], items);
        Assert.Equal(2, queue.Status.Dropped);
    }

    [Fact]
    public async Task Stage_RejectedItems_AreCountedByReasonAndTheStageGoesOn()
    {
        var queue = new StageQueue<int>("decode", 8, QueueFullPolicy.Wait);
        var stage = new PipelineStage<int>("decode", queue, (item, _) =>
            item % 3 == 0 ? throw new RejectedItemException("image data shorter than step*height") : ValueTask.CompletedTask);
        var run = stage.RunAsync(Ct);
        for (int i = 0; i < 9; i++) await queue.WriteAsync(i, Ct);
        queue.Complete();
        await run;
        Assert.Equal(6, stage.Status.Processed);
        Assert.Equal(3, stage.Status.Rejected["image data shorter than step*height"]);
    }

    [Fact]
    public void LatencyRecorder_Percentiles_WithinTheBucketWidth()
    {
        var recorder = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) recorder.RecordMilliseconds(i * 0.1); // 0.1 .. 100 ms, uniform
        Assert.InRange(recorder.Percentile(0.5), 50 * 0.99, 50 * 1.1);
        Assert.InRange(recorder.Percentile(0.95), 95 * 0.99, 95 * 1.1);
        Assert.Equal(0, new LatencyRecorder().Percentile(0.5));
    }
}
