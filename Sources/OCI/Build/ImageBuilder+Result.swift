extension ImageBuilder.Result {
    /// A result read back from elsewhere: a build run in a child process (`charon-node image
    /// build` prints reference, digest, output and outcome), whose layers are not reported.
    public init(reference: String, manifestDigest: Digest, output: String, outcome: ImageBuilder.Outcome, size: Int64) {
        self.init(reference: reference, manifestDigest: manifestDigest, output: output, outcome: outcome, layers: [], size: size)
    }
}
