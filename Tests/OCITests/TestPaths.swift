import TestSupport

enum TestPaths {
    static var packageRoot: String { BuiltProducts.packageRoot }
}
