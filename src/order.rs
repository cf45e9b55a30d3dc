//! Stable ordering of the engine's short lists. All of them go through one sort of
//! number pairs: each element type sorted by the standard library's stable sort would
//! add its own copy of the sort routine to the page.

/// Sorts `items` by `rank`, keeping the order of items of equal rank.
pub fn by_rank<T>(items: &mut Vec<T>, rank: impl Fn(&T) -> usize) {
    let mut order: Vec<(usize, usize)> = items.iter().map(rank).zip(0..).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|(_, i)| slots[i].take()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_ranks_keep_their_order() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        super::by_rank(&mut v, |x| x.0);
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
    }
}
