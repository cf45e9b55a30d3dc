//! Ordering of the engine's lists. The standard library's sorts are large, and each
//! element type sorted by them adds its own copy to the page: the engine sorts positions
//! and number pairs with one small heap sort, and other items by their rank.

/// Sorts `items` by `rank`, keeping the order of items of equal rank.
pub fn by_rank<T>(items: &mut Vec<T>, rank: impl Fn(&T) -> usize) {
    let mut order: Vec<(usize, usize)> = items.iter().map(rank).zip(0..).collect();
    sort(&mut order);
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|(_, i)| slots[i].take()));
}

/// Sorts `v` in place (a heap sort: O(n log n), no allocation, not stable).
pub fn sort<T: Ord + Copy>(v: &mut [T]) {
    // Moves the item at `root` down until it is no smaller than its children.
    fn sift_down<T: Ord + Copy>(v: &mut [T], mut root: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= v.len() {
                return;
            }
            if child + 1 < v.len() && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(&mut v[..end], 0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_like_the_standard_library() {
        let mut seed = 7u64;
        for len in 0..200 {
            let mut v: Vec<(usize, usize)> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) as usize % 17, (seed >> 40) as usize % 5)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            super::sort(&mut v);
            assert_eq!(v, expected);
        }
    }

    #[test]
    fn equal_ranks_keep_their_order() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        super::by_rank(&mut v, |x| x.0);
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
    }
}
