using Xunit;

namespace KafkaActors.Tests.Support;

/// <summary>Tests that disturb the whole process (e.g. the thread pool) run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
