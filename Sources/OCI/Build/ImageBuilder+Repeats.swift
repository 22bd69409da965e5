extension ImageBuilder {
    /// Drops from each layer the files, symlinks and inline contents that a lower layer already
    /// holds as the very same entry (same source, size, mode and owner): the lower copy is what a
    /// container sees either way, so the upper copy only made every node pull it twice. Two
    /// executables sharing a library (libcrypto, GnuTLS, libstdc++ under charon-lifecycle and
    /// charon-node) then ship it once. Folders stay (they are a few bytes), and so does a file a
    /// hard link in its own layer points at.
    static func droppingRepeats(_ plans: [LayerPlanner.Plan]) -> [LayerPlanner.Plan] {
        var below: [String: LayerEntry] = [:]
        return plans.map { plan in
            var linked: Set<String> = []
            for entry in plan.entries {
                if case .hardLink(let target) = entry.kind { linked.insert(target) }
            }
            let kept = plan.entries.filter { entry in
                switch entry.kind {
                case .hostFile, .symlink, .bytes:
                    return below[entry.path] != entry || linked.contains(entry.path)
                case .directory, .hardLink:
                    return true
                }
            }
            for entry in plan.entries { below[entry.path] = entry }
            return LayerPlanner.Plan(entries: kept, inputs: plan.inputs, staticLinks: plan.staticLinks)
        }
    }
}
