import ArgumentParser

/// `charon-node image …`: the image steps, one at a time.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build, import or rebuild an image from a spec in images/.",
        subcommands: [ImageBuildCommand.self, ImageImportCommand.self, ImageRebuildCommand.self]
    )
}
