import Agent
import ArgumentParser
import Glibc

/// `charon-node status`: what a node's agent says about it, as a table or as JSON.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the node's health as its agent last computed it.",
        discussion: """
            Reads the agent's /status endpoint (it never runs a check itself). Exit status: \
            0 healthy, 1 degraded, 2 unhealthy, 3 the agent could not be reached or answered \
            something else.
            """
    )

    @Option(name: .setting(.statusURL), help: ArgumentHelp(NodeSetting.statusURL.help, valueName: NodeSetting.statusURL.valueName))
    var url: String = Environment.statusURL

    @Flag(help: "Print the agent's JSON document as is.")
    var json = false

    @Option(help: ArgumentHelp("Seconds to wait for the agent.", valueName: "seconds"))
    var timeout: Double = 5

    func run() async throws {
        let fetched: (document: StatusDocument, body: [UInt8])
        do {
            fetched = try await StatusClient(url: url, timeout: .seconds(timeout)).fetch()
        } catch {
            CommandFailure.printError("\(error)")
            throw ExitCode(3)
        }
        if json {
            print(String(decoding: fetched.body, as: UTF8.self), terminator: "")
        } else {
            print(StatusTable(fetched.document, colour: StatusTable.terminalWantsColour, now: .now).render(), terminator: "")
        }
        throw ExitCode(fetched.document.overall.exitCode)
    }
}
