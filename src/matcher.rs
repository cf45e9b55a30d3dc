//! Finds which of many phrases occur in a lower-case text, in one pass over the text.
//! Phrases are compared in ASCII lower case.
//! Phrases are indexed by their first two bytes; `*` in a phrase stands for any text in
//! between (up to [`MAX_GAP`] bytes); a phrase that starts with a letter or digit must
//! start at a word boundary.

/// One phrase in the prefix index, with up to its first eight bytes as a number, so that
/// most candidates are ruled out by one comparison.
struct Entry {
    head: u64,
    mask: u64,
    phrase: usize,
}

/// A compiled set of phrases.
pub struct Matcher {
    /// Each phrase in ASCII lower case, split at `*`, in the order given.
    phrases: Vec<Vec<String>>,
    /// Phrases grouped by the first two bytes of their first part: the phrases for
    /// prefix `k` are `entries[starts[k]..starts[k + 1]]`.
    starts: Vec<u32>,
    entries: Vec<Entry>,
    /// Phrases whose first part is a single byte (rare), checked at every position.
    short: Vec<usize>,
    /// One bit per two-byte prefix that starts some phrase: most positions stop here.
    bigrams: Vec<u64>,
    /// Phrases may also start inside a word, as in `str::contains`.
    anywhere: bool,
}

impl Matcher {
    /// Compiles the phrases; their order is the order of preference.
    pub fn new(phrases: &[&str]) -> Matcher {
        let mut m = Matcher {
            phrases: Vec::with_capacity(phrases.len()),
            starts: Vec::new(),
            entries: Vec::new(),
            short: Vec::new(),
            bigrams: vec![0; 1024],
            anywhere: false,
        };
        let mut keyed: Vec<(usize, usize)> = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            // Spaces around a `*` gap go with the gap; a phrase's outer spaces are its
            // own (" pbl" is a word, not part of one).
            let gaps = p.matches('*').count();
            let parts: Vec<String> = p
                .split('*')
                .enumerate()
                .map(|(k, part)| match (k > 0, k < gaps) {
                    (true, true) => part.trim(),
                    (true, false) => part.trim_start(),
                    (false, true) => part.trim_end(),
                    (false, false) => part,
                })
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            match parts.first().map(|f| f.as_bytes()) {
                Some([a, b, ..]) => {
                    let key = bigram(*a, *b);
                    keyed.push((key, i));
                    m.bigrams[key / 64] |= 1 << (key % 64);
                }
                Some(_) => m.short.push(i),
                None => {}
            }
            m.phrases.push(parts);
        }
        crate::order::sort(&mut keyed);
        m.entries = keyed
            .iter()
            .map(|&(_, i)| {
                let first = m.phrases[i][0].as_bytes();
                let n = first.len().min(8);
                Entry {
                    head: word_at(first, 0),
                    mask: if n == 8 { u64::MAX } else { (1 << (8 * n)) - 1 },
                    phrase: i,
                }
            })
            .collect();
        // Counts per prefix, summed up: `starts[k]` is the number of keys below `k`.
        m.starts = vec![0; (1 << 16) + 1];
        for &(key, _) in &keyed {
            m.starts[key + 1] += 1;
        }
        for k in 1..m.starts.len() {
            m.starts[k] += m.starts[k - 1];
        }
        m
    }

    /// Compiles the phrases of `(owner, phrase)` pairs, in order: the index of a phrase
    /// that [`Matcher::matches`] or [`Matcher::find`] gives is its owner's in the list
    /// returned beside the matcher.
    pub fn with_owners<'a, T>(pairs: impl IntoIterator<Item = (T, &'a str)>) -> (Matcher, Vec<T>) {
        let (owners, phrases): (Vec<T>, Vec<&str>) = pairs.into_iter().unzip();
        (Matcher::new(&phrases), owners)
    }

    /// The same phrases, which may also start inside a word (no word-boundary rule).
    pub fn inside_words(self) -> Matcher {
        Matcher {
            anywhere: true,
            ..self
        }
    }

    /// Indices of all phrases that occur in `hay` (lower case), sorted.
    pub fn matches(&self, hay: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .candidates(hay)
            .flat_map(|i| self.starting_at(hay, i))
            .collect();
        crate::order::sort(&mut found);
        found.dedup();
        found
    }

    /// True if any phrase occurs in `hay`.
    pub fn any(&self, hay: &str) -> bool {
        self.find(hay).is_some()
    }

    /// The earliest occurrence in `hay` of any phrase: (byte position, phrase index).
    pub fn find(&self, hay: &str) -> Option<(usize, usize)> {
        self.candidates(hay)
            .find_map(|i| self.starting_at(hay, i).next().map(|idx| (i, idx)))
    }

    /// The positions where some phrase may start: not inside a word (a phrase that
    /// starts with a letter or digit starts at a word boundary), and, as a cheap filter,
    /// with a two-byte prefix that starts some phrase.
    fn candidates<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = usize> + 'a {
        let b = hay.as_bytes();
        let every = !self.short.is_empty();
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < b.len() {
                let at = i;
                i += 1;
                if !self.anywhere && WORD[b[at] as usize] {
                    // Only a word's first byte can start a phrase.
                    while i < b.len() && WORD[b[i] as usize] {
                        i += 1;
                    }
                }
                if every || (at + 1 < b.len() && self.has_bigram(b[at], b[at + 1])) {
                    return Some(at);
                }
            }
            None
        })
    }

    /// The phrases that start at byte `i` of `hay` (a candidate position) and whose
    /// gapped parts follow.
    fn starting_at<'a>(&'a self, hay: &'a str, i: usize) -> impl Iterator<Item = usize> + 'a {
        let b = hay.as_bytes();
        let by_prefix: &[Entry] = match b.get(i..i + 2) {
            Some(&[x, y]) if self.has_bigram(x, y) => {
                let k = bigram(x, y);
                &self.entries[self.starts[k] as usize..self.starts[k + 1] as usize]
            }
            _ => &[],
        };
        let here = word_at(b, i);
        by_prefix
            .iter()
            .filter(move |e| here & e.mask == e.head)
            .map(|e| e.phrase)
            .chain(self.short.iter().copied())
            .filter(move |&idx| {
                let parts = &self.phrases[idx];
                let first = parts[0].as_bytes();
                b[i..].starts_with(first) && rest_follows(hay, i + first.len(), &parts[1..])
            })
    }

    fn has_bigram(&self, a: u8, b: u8) -> bool {
        let key = bigram(a, b);
        self.bigrams[key / 64] & (1 << (key % 64)) != 0
    }
}

/// ASCII letters and digits: the bytes words are made of.
const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// The eight bytes of `b` from `i` as a little-endian number, zero past the end.
fn word_at(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    let tail = &b[i.min(b.len())..];
    let n = tail.len().min(8);
    w[..n].copy_from_slice(&tail[..n]);
    u64::from_le_bytes(w)
}

fn bigram(a: u8, b: u8) -> usize {
    (a as usize) << 8 | b as usize
}

/// How far apart the parts of a gapped phrase may be: one sentence, not the whole text,
/// which also keeps matching linear in the length of the text.
const MAX_GAP: usize = 200;

fn rest_follows(hay: &str, mut pos: usize, rest: &[String]) -> bool {
    for part in rest {
        let end = hay.floor_char_boundary(pos + MAX_GAP + part.len());
        match hay.get(pos..end).and_then(|h| h.find(part)) {
            Some(p) => pos += p + part.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_phrases_at_word_starts_with_gaps() {
        let m = Matcher::new(&["user unknown", "rbl", "mailbox * full", "(s3150)", "x"]);
        assert_eq!(m.matches("550 user unknown"), vec![0]);
        assert!(m.matches("superbly done").is_empty());
        assert_eq!(m.matches("the mailbox is really full"), vec![2]);
        assert_eq!(m.matches("list (s3150)."), vec![3]);
        assert_eq!(m.matches("x user unknown"), vec![0, 4]);
        assert_eq!(m.find("ab user unknown (s3150)"), Some((3, 0)));
    }

    #[test]
    fn owners_stand_in_the_order_of_their_phrases() {
        let (m, owners) =
            Matcher::with_owners([("full", "mailbox full"), ("unknown", "user unknown")]);
        let found: Vec<&str> = m
            .matches("550 user unknown")
            .into_iter()
            .map(|i| owners[i])
            .collect();
        assert_eq!(found, ["unknown"]);
    }

    #[test]
    fn substrings_may_start_inside_a_word() {
        let m = Matcher::new(&["rbl", "sorbs.net"]).inside_words();
        assert_eq!(m.matches("superbly done"), vec![0]);
        assert_eq!(m.matches("listed in dnsrbl.sorbs.net"), vec![0, 1]);
        assert!(m.matches("nothing here").is_empty());
    }
}
