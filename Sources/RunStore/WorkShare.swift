/// One array task's share of a list of runs on a cluster: the runs whose position in the list is
/// `index` modulo `count` (README "Validation on a cluster").
package struct WorkShare: Sendable, Equatable {
    package let index: Int
    package let count: Int

    package init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "share \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// The items of this share, in their order.
    package func select<Item>(_ items: [Item]) -> [Item] {
        items.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}
