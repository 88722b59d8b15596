using KafkaActors.Metrics;
using Xunit;

namespace KafkaActors.Tests.Metrics;

/// <summary>Java's sampled Max on explicit instants: a value stays for between samples - 1 and samples windows.</summary>
public sealed class WindowedMaxTests
{
    [Fact]
    public void A_maximum_drops_out_after_the_last_sample_window_that_holds_it()
    {
        var max = new WindowedMax(windowMs: 1000, samples: 2);
        Assert.Equal(0, max.Read(0));

        max.Record(50, nowMs: 100);
        max.Record(20, nowMs: 1100);
        Assert.Equal(50, max.Read(1100));
        Assert.Equal(50, max.Read(1999)); // window 0 is still the older of the two
        Assert.Equal(20, max.Read(2000)); // window 0 is gone, window 1 still counts
        Assert.Equal(0, max.Read(3000));

        max.Record(7, nowMs: 2100); // reuses window 0's slot
        max.Record(5, nowMs: 2200);
        Assert.Equal(20, max.Read(2200)); // window 1 still counts
        Assert.Equal(7, max.Read(3000));
        Assert.Equal(7, max.Read(3999));
        Assert.Equal(0, max.Read(4000));
    }

    [Fact]
    public void One_sample_keeps_only_the_current_window()
    {
        var max = new WindowedMax(windowMs: 500, samples: 1);
        max.Record(9, nowMs: 10);
        max.Record(3, nowMs: 499);
        Assert.Equal(9, max.Read(499));
        Assert.Equal(0, max.Read(500));
        max.Record(4, nowMs: 600);
        Assert.Equal(4, max.Read(999));
    }

    [Fact]
    public void Tagged_metric_keys_round_trip()
    {
        var key = MetricKey.Of("record-send-rate", MetricKey.TopicTag, "orders.v1-x_y");
        Assert.Equal("record-send-rate{topic=orders.v1-x_y}", key);
        Assert.Equal(("record-send-rate", "topic", "orders.v1-x_y"), MetricKey.Parse(key));
        Assert.Equal(("request-latency-max", (string?)null, (string?)null), MetricKey.Parse("request-latency-max"));
        Assert.Equal(("request-latency-max", "node-id", "-1"), MetricKey.Parse(MetricKey.Of("request-latency-max", MetricKey.NodeTag, "-1")));
    }
}
