// The node tests start whole nodes and players; run alone, each one has the machine's two cores to itself.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
