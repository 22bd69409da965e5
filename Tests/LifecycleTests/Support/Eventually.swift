import Testing

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
///
/// Only for what a separate process does (no clock of ours to drive): the timeout is a minute,
/// far beyond the milliseconds the awaited step takes, so a loaded machine cannot flip the result.
func eventually(timeout: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
