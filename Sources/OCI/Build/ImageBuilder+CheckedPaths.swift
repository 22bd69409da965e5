extension ImageBuilder {
    /// Every path whose `stat` a no-op build of `spec` depends on: the spec file, each host file,
    /// folder and link the layers read (as planned now), the tarball and its build record. While
    /// none of them changes (same inode, size, mtime, ctime), a build would answer `unchanged`.
    /// Plans again (metadata only: `lstat` and ELF headers).
    public func checkedPaths(of spec: ImageSpec) throws -> [String] {
        let planner = LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: options.executableSearchPath)
        let inputs = try spec.layers.flatMap { try planner.plan($0).inputs }
        // Each input line starts with its host path, then a tab and the stat fields.
        let hostPaths = inputs.map { String($0.prefix { $0 != "\t" }) }
        return [spec.path] + hostPaths + DebianPackageDatabase.recordPaths(root: options.packageDatabaseRoot)
            + [options.output, BuildRecord.path(for: options.output), Self.sbomPath(for: options.output)]
    }
}
