using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AnyRecon.Ros.Benchmarks;

/// <summary>How many payload bytes one invocation of a benchmark method processes, for the MB/s column.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ProcessedBytesAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>Adds "MB/s" (10^6 bytes per second of the mean time) for methods marked with <see cref="ProcessedBytesAttribute"/>;
/// a benchmark whose bytes are not payload (e.g. decompressed records) names them in the column name and legend.</summary>
internal sealed class ThroughputColumn(
    string columnName = "MB/s", string legend = "Payload megabytes (10^6 B) processed per second, from the mean time") : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => columnName;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var attribute = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<ProcessedBytesAttribute>();
        var report = summary[benchmarkCase];
        if (attribute is null || report?.ResultStatistics is null) return "-";
        double seconds = report.ResultStatistics.Mean / 1e9;
        return (attribute.Bytes / seconds / 1e6).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
