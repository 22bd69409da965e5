/// Polls `condition` every `step` until it holds or `limit` passes; returns whether it held.
///
/// Only for what a separate process does (no clock of ours to drive it): callers give limits of a
/// minute or more, far beyond the milliseconds the awaited step takes, so a loaded machine cannot
/// flip the result.
///
/// ```swift
/// #expect(await eventually { child.standardError.contains("created A 100.64.1.2") })
/// ```
public func eventually(
    within limit: Duration = .seconds(60),
    every step: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: step)
    }
    return try await condition()
}
