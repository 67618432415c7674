//! RFC 6962 / RFC 9162 Merkle tree over the audit trail's leaves.
//!
//! The tree is never held in memory. The writer keeps a [`Frontier`] (one hash per set bit of
//! the size) and stores every perfect subtree hash that [`Frontier::push`] completes; roots and
//! proofs for any past size are then computed from those stored nodes alone, because every
//! subtree in the RFC 6962 recursion is either a perfect aligned block (stored) or splits into
//! smaller ones. The `*_nodes` functions tell the caller which stored nodes to load first.

use std::cell::RefCell;

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// A perfect subtree: `(level, index)` covers leaves `[index << level, (index + 1) << level)`.
/// Level 0 = leaf hashes.
pub type NodeId = (u8, u64);

/// Why a Merkle computation or frontier was refused: its arguments are impossible, as opposed
/// to merely not stored (which is `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old tree size {old} is larger than new tree size {new}")]
    OldLargerThanNew { old: u64, new: u64 },
    #[error("a frontier of size {size} has {expected} nodes, not {actual}")]
    FrontierNodeCount {
        size: u64,
        expected: u32,
        actual: usize,
    },
}

/// RFC 6962 leaf hash, SHA-256(0x00 || data): the prefix keeps a leaf from posing as a node.
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(data)
        .finalize()
        .into()
}

/// RFC 6962 interior node hash, SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The root of the empty tree, SHA-256 of the empty string (RFC 6962 §2.1).
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// The compact range `[0, size)`: the roots of the perfect subtrees of size's binary
/// decomposition, left (largest) to right. This is all the state an appender needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from stored parts; refuses a node count that cannot match `size`,
    /// since every later root would silently be wrong.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, MerkleError> {
        let expected = size.count_ones();
        if nodes.len() != expected as usize {
            return Err(MerkleError::FrontierNodeCount {
                size,
                expected,
                actual: nodes.len(),
            });
        }
        Ok(Self { size, nodes })
    }

    /// The number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest first; their ids are [`Frontier::node_ids`]`(size)`.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// The NodeIds of nodes() in order (so a caller can store/load them).
    pub fn node_ids(size: u64) -> Vec<NodeId> {
        let mut ids = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..u64::BITS).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                ids.push((level as u8, start >> level));
                start += width;
            }
        }
        ids
    }

    /// Appends a leaf hash; returns every perfect node it completes, as (NodeId, Hash): the
    /// leaf itself (level 0) first, then each parent it completes. Storing all of them is what
    /// lets [`root_from`] and the proof functions work for every later size.
    ///
    /// # Panics
    /// If the tree already holds `u64::MAX` leaves, which no real log reaches.
    pub fn push(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let index = self.size;
        let Some(new_size) = index.checked_add(1) else {
            panic!("Merkle tree is full: it already holds u64::MAX leaves");
        };
        let mut completed = vec![((0u8, index), leaf)];
        let mut hash = leaf;
        let mut level = 0u8;
        // Each trailing one bit of the old size is a left sibling waiting for this subtree.
        let mut pending = index;
        while pending & 1 == 1 {
            let Some(left) = self.nodes.pop() else {
                break; // Unreachable: from_parts keeps nodes.len() == size.count_ones().
            };
            hash = node_hash(&left, &hash);
            level += 1;
            pending >>= 1;
            completed.push(((level, index >> level), hash));
        }
        self.nodes.push(hash);
        self.size = new_size;
        completed
    }

    /// RFC 6962 Merkle tree hash of [0, size).
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return empty_root();
        };
        nodes.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

/// A way to fetch stored perfect node hashes; `None` when the node is not stored.
type Lookup<'a> = &'a dyn Fn(NodeId) -> Option<Hash>;

/// The largest power of two strictly below `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    1u64 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// `MTH(D[start:end])` for a non-empty range, following the RFC 6962 recursion and stopping at
/// perfect aligned blocks, which are stored nodes.
fn subtree(start: u64, end: u64, lookup: Lookup<'_>) -> Option<Hash> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return lookup((level as u8, start >> level));
    }
    let mid = start + split_point(n);
    let left = subtree(start, mid, lookup)?;
    let right = subtree(mid, end, lookup)?;
    Some(node_hash(&left, &right))
}

/// RFC 6962 `PATH(index, D[start:end])`, deepest sibling first.
fn path(index: u64, start: u64, end: u64, lookup: Lookup<'_>) -> Option<Vec<Hash>> {
    let n = end - start;
    if n == 1 {
        return Some(Vec::new());
    }
    let mid = start + split_point(n);
    let (mut proof, sibling) = if index < mid {
        (path(index, start, mid, lookup)?, subtree(mid, end, lookup)?)
    } else {
        (path(index, mid, end, lookup)?, subtree(start, mid, lookup)?)
    };
    proof.push(sibling);
    Some(proof)
}

/// RFC 6962 `SUBPROOF(old - start, D[start:end], whole)`: `whole` says whether `D[start:old]` is
/// the entire old tree seen so far, whose root the verifier already has.
fn subproof(old: u64, start: u64, end: u64, whole: bool, lookup: Lookup<'_>) -> Option<Vec<Hash>> {
    if old == end {
        return if whole {
            Some(Vec::new())
        } else {
            Some(vec![subtree(start, end, lookup)?])
        };
    }
    let mid = start + split_point(end - start);
    let (mut proof, sibling) = if old <= mid {
        (
            subproof(old, start, mid, whole, lookup)?,
            subtree(mid, end, lookup)?,
        )
    } else {
        (
            subproof(old, mid, end, false, lookup)?,
            subtree(start, mid, lookup)?,
        )
    };
    proof.push(sibling);
    Some(proof)
}

/// Computes the RFC 6962 Merkle tree hash of `[0, size)` from stored perfect nodes; `Ok(None)`
/// when a needed node is missing.
pub fn root_from(
    size: u64,
    lookup: &dyn Fn(NodeId) -> Option<Hash>,
) -> Result<Option<Hash>, MerkleError> {
    if size == 0 {
        return Ok(Some(empty_root()));
    }
    Ok(subtree(0, size, lookup))
}

/// RFC 6962 `PATH(index, D[size])` from stored perfect nodes; `Ok(None)` when a needed node is
/// missing, `Err` when `index >= size`.
pub fn inclusion_proof(
    index: u64,
    size: u64,
    lookup: &dyn Fn(NodeId) -> Option<Hash>,
) -> Result<Option<Vec<Hash>>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    Ok(path(index, 0, size, lookup))
}

/// RFC 6962 `PROOF(old, D[new])` from stored perfect nodes; `Ok(None)` when a needed node is
/// missing, `Err` when `old > new`. `old == 0` or `old == new` gives the empty proof.
pub fn consistency_proof(
    old: u64,
    new: u64,
    lookup: &dyn Fn(NodeId) -> Option<Hash>,
) -> Result<Option<Vec<Hash>>, MerkleError> {
    if old > new {
        return Err(MerkleError::OldLargerThanNew { old, new });
    }
    if old == 0 || old == new {
        return Ok(Some(Vec::new()));
    }
    Ok(subproof(old, 0, new, true, lookup))
}

/// Runs `compute` with a lookup that finds every node and records what was asked for, so the
/// node lists below can never drift from the computations.
fn recorded(compute: impl FnOnce(Lookup<'_>)) -> Vec<NodeId> {
    let seen = RefCell::new(Vec::new());
    let lookup = |id: NodeId| {
        seen.borrow_mut().push(id);
        Some([0u8; 32])
    };
    compute(&lookup);
    let mut ids = seen.into_inner();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Perfect nodes needed (deduplicated, sorted) to compute [`root_from`]`(size)`.
pub fn root_nodes(size: u64) -> Vec<NodeId> {
    recorded(|lookup| {
        let _ = root_from(size, lookup);
    })
}

/// Perfect nodes needed (deduplicated, sorted) to compute [`inclusion_proof`]`(index, size)`;
/// empty when the arguments are invalid.
pub fn inclusion_nodes(index: u64, size: u64) -> Vec<NodeId> {
    recorded(|lookup| {
        let _ = inclusion_proof(index, size, lookup);
    })
}

/// Perfect nodes needed (deduplicated, sorted) to compute [`consistency_proof`]`(old, new)`;
/// empty when the arguments are invalid or the proof is empty.
pub fn consistency_nodes(old: u64, new: u64) -> Vec<NodeId> {
    recorded(|lookup| {
        let _ = consistency_proof(old, new, lookup);
    })
}

/// Verifies an inclusion proof exactly as RFC 9162 §2.1.3.2 does, without rebuilding a tree.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let mut fnode = index;
    let mut snode = size - 1;
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            // Climb past the levels where this node is a right edge with no sibling.
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Verifies a consistency proof exactly as RFC 9162 §2.1.4.2 does, without rebuilding a tree.
///
/// The RFC covers `0 < old < new` only. Outside it: `old == new` holds iff the proof is empty
/// and the roots are equal; `old == 0` holds iff the proof is empty and `old_root` is
/// [`empty_root`] (the empty tree is a prefix of every tree, but a size-0 checkpoint with any
/// other root is bogus); `old > new` never holds.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old > new {
        return false;
    }
    if old == 0 {
        return proof.is_empty() && *old_root == empty_root() && (new > 0 || old_root == new_root);
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if proof.is_empty() {
        return false;
    }
    // A power-of-two old tree is a single subtree of the new one whose hash the proof omits.
    let prefix: &[Hash] = if old.is_power_of_two() {
        std::slice::from_ref(old_root)
    } else {
        &[]
    };
    let mut path = prefix.iter().chain(proof);
    let mut fnode = old - 1;
    let mut snode = new - 1;
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let Some(first) = path.next() else {
        return false;
    };
    let mut fr = *first;
    let mut sr = *first;
    for c in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == *old_root && sr == *new_root && snode == 0
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn h(s: &str) -> Hash {
        let bytes = hex::decode(s).unwrap();
        bytes.try_into().unwrap()
    }

    // Leaves, roots and proofs from transparency-dev/merkle proof/verify_test.go (the same
    // vectors as Trillian's and certificate-transparency-go's merkle tests).
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// (index, size, proof); upstream lists the leaf 1-based, here it is the 0-based index.
    const INCLUSION: [(u64, u64, &[&str]); 5] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    /// From transparency-dev/merkle proof/verify_test.go (`sha256SomeHash`).
    const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

    fn hashes(list: &[&str]) -> Vec<Hash> {
        list.iter().map(|s| h(s)).collect()
    }

    /// Every perfect node of the tree over `leaves`, as `Frontier::push` reports them.
    fn build(leaves: &[Hash]) -> (Frontier, HashMap<NodeId, Hash>) {
        let mut frontier = Frontier::new();
        let mut nodes = HashMap::new();
        for leaf in leaves {
            nodes.extend(frontier.push(*leaf));
        }
        (frontier, nodes)
    }

    fn kat_tree() -> (Vec<Hash>, HashMap<NodeId, Hash>) {
        let leaves: Vec<Hash> = LEAVES
            .iter()
            .map(|s| leaf_hash(&hex::decode(s).unwrap()))
            .collect();
        let (_, nodes) = build(&leaves);
        (leaves, nodes)
    }

    /// The RFC 6962 definition of MTH over `leaves[start..end]`, written independently of the
    /// code under test; `memo` only caches it so that every size of a tree can be checked.
    fn naive_root(
        leaves: &[Hash],
        start: usize,
        end: usize,
        memo: &mut HashMap<(usize, usize), Hash>,
    ) -> Hash {
        if let Some(hash) = memo.get(&(start, end)) {
            return *hash;
        }
        let hash = match end - start {
            0 => empty_root(),
            1 => leaves[start],
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                let left = naive_root(leaves, start, start + k, memo);
                let right = naive_root(leaves, start + k, end, memo);
                node_hash(&left, &right)
            }
        };
        memo.insert((start, end), hash);
        hash
    }

    fn flip(hash: &Hash) -> Hash {
        let mut out = *hash;
        out[0] ^= 0x10;
        out
    }

    #[test]
    fn rfc6962_hashes() {
        // transparency-dev/merkle rfc6962/rfc6962_test.go
        assert_eq!(
            empty_root(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            leaf_hash(b""),
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        );
        assert_eq!(
            leaf_hash(b"L123456"),
            h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        );
        let (a, b) = (leaf_hash(b"Hello"), leaf_hash(b"World"));
        assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
        assert_ne!(node_hash(&a, &b), leaf_hash(&[a, b].concat()));
    }

    #[test]
    fn known_roots() {
        let (leaves, nodes) = kat_tree();
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), empty_root());
        assert_eq!(
            root_from(0, &|id| nodes.get(&id).copied()),
            Ok(Some(empty_root()))
        );
        for (i, want) in ROOTS.iter().enumerate() {
            frontier.push(leaves[i]);
            let size = i as u64 + 1;
            assert_eq!(frontier.root(), h(want), "frontier root at size {size}");
            let got = root_from(size, &|id| nodes.get(&id).copied()).unwrap();
            assert_eq!(got, Some(h(want)), "root_from at size {size}");
        }
    }

    #[test]
    fn known_inclusion_proofs() {
        let (leaves, nodes) = kat_tree();
        let lookup = |id: NodeId| nodes.get(&id).copied();
        for (index, size, want) in INCLUSION {
            let want = hashes(want);
            let got = inclusion_proof(index, size, &lookup).unwrap();
            assert_eq!(got, Some(want.clone()), "proof of {index} in {size}");
            let root = h(ROOTS[size as usize - 1]);
            let leaf = leaves[index as usize];
            assert!(verify_inclusion(&leaf, index, size, &want, &root));

            // The corruptions of upstream's corruptInclusionProof.
            let some = h(SOME_HASH);
            let mut bad: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
                (index.wrapping_sub(1), size, root, leaf, want.clone()),
                (index + 1, size, root, leaf, want.clone()),
                (index ^ 2, size, root, leaf, want.clone()),
                (index, size * 2, root, leaf, want.clone()),
                (index, size / 2, root, leaf, want.clone()),
                (index, size, root, leaf_hash(b"WrongLeaf"), want.clone()),
                (index, size, empty_root(), leaf, want.clone()),
                (index, size, some, leaf, want.clone()),
                (
                    index,
                    size,
                    root,
                    leaf,
                    [want.clone(), vec![[0; 32]]].concat(),
                ),
                (index, size, root, leaf, [want.clone(), vec![root]].concat()),
                (
                    index,
                    size,
                    root,
                    leaf,
                    [vec![[0; 32]], want.clone()].concat(),
                ),
                (index, size, root, leaf, [vec![root], want.clone()].concat()),
            ];
            for i in 0..want.len() {
                let mut proof = want.clone();
                proof[i][0] ^= 8;
                bad.push((index, size, root, leaf, proof));
            }
            if !want.is_empty() {
                bad.push((index, size, root, leaf, want[..want.len() - 1].to_vec()));
            }
            if want.len() > 1 {
                let proof = [&[some, want[0]][..], &want[1..]].concat();
                bad.push((index, size, root, leaf, proof));
            }
            for (i, (index, size, root, leaf, proof)) in bad.iter().enumerate() {
                assert!(
                    !verify_inclusion(leaf, *index, *size, proof, root),
                    "corruption {i} of proof {index}/{size} verified"
                );
            }
        }
    }

    #[test]
    fn known_consistency_proofs() {
        let (_, nodes) = kat_tree();
        let lookup = |id: NodeId| nodes.get(&id).copied();
        for (old, new, want) in CONSISTENCY {
            let want = hashes(want);
            let got = consistency_proof(old, new, &lookup).unwrap();
            assert_eq!(got, Some(want.clone()), "proof from {old} to {new}");
            let (r1, r2) = (h(ROOTS[old as usize - 1]), h(ROOTS[new as usize - 1]));
            assert!(verify_consistency(old, new, &r1, &r2, &want));
            if want.is_empty() {
                continue;
            }

            // The corruptions of upstream's corruptConsistencyProof.
            let some = h(SOME_HASH);
            let mut bad: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
                (old - 1, new, r1, r2, want.clone()),
                (old + 1, new, r1, r2, want.clone()),
                (old ^ 2, new, r1, r2, want.clone()),
                (old, new * 2, r1, r2, want.clone()),
                (old, new / 2, r1, r2, want.clone()),
                (old, new, some, r2, want.clone()),
                (old, new, r1, some, want.clone()),
                (old, new, r2, r1, want.clone()),
                (old, new, r1, r2, Vec::new()),
                (old, new, r1, r2, [want.clone(), vec![[0; 32]]].concat()),
                (old, new, r1, r2, [want.clone(), vec![r1]].concat()),
                (old, new, r1, r2, [want.clone(), vec![r2]].concat()),
                (old, new, r1, r2, [vec![[0; 32]], want.clone()].concat()),
                (old, new, r1, r2, [vec![r1], want.clone()].concat()),
                (old, new, r1, r2, [vec![r2], want.clone()].concat()),
                (old, new, r1, r2, [vec![want[0]], want.clone()].concat()),
                (old, new, r1, r2, want[..want.len() - 1].to_vec()),
            ];
            for i in 0..want.len() {
                let mut proof = want.clone();
                proof[i][0] ^= 16;
                bad.push((old, new, r1, r2, proof));
            }
            for (i, (old, new, r1, r2, proof)) in bad.iter().enumerate() {
                assert!(
                    !verify_consistency(*old, *new, r1, r2, proof),
                    "corruption {i} of proof {old}->{new} verified"
                );
            }
        }
    }

    #[test]
    fn consistency_edge_cases() {
        // Adapted from upstream TestVerifyConsistency; see verify_consistency for old == 0.
        let (r1, r2, e, some) = (h(SOME_HASH), flip(&h(SOME_HASH)), empty_root(), h(ROOTS[0]));
        type Case<'a> = (u64, u64, Hash, Hash, &'a [Hash], bool);
        let cases: [Case<'_>; 15] = [
            (0, 0, r1, r2, &[], false),
            (1, 1, r1, r2, &[], false),
            (0, 0, e, e, &[], true),
            (0, 1, e, r2, &[], true),
            (1, 1, r2, r2, &[], true),
            (1, 0, r1, r2, &[], false),
            (2, 1, r1, r2, &[], false),
            (1, 2, r1, r2, &[], false),
            (0, 0, e, r2, &[], false),
            (1, 1, e, r2, &[], false),
            (0, 0, e, e, &[e], false),
            (0, 1, e, e, &[e], false),
            (1, 1, e, e, &[e], false),
            // Not in upstream: a size-0 old root must be the empty root.
            (0, 1, some, r2, &[], false),
            (0, 0, r1, r1, &[], false),
        ];
        for (i, (old, new, r1, r2, proof, want)) in cases.iter().enumerate() {
            assert_eq!(
                verify_consistency(*old, *new, r1, r2, proof),
                *want,
                "case {i}"
            );
        }
    }

    #[test]
    fn invalid_arguments() {
        let lookup = |_: NodeId| Some([0u8; 32]);
        assert_eq!(
            inclusion_proof(3, 3, &lookup),
            Err(MerkleError::IndexOutOfRange { index: 3, size: 3 })
        );
        assert_eq!(
            inclusion_proof(0, 0, &lookup),
            Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert_eq!(
            consistency_proof(4, 3, &lookup),
            Err(MerkleError::OldLargerThanNew { old: 4, new: 3 })
        );
        assert_eq!(consistency_proof(0, 5, &lookup), Ok(Some(Vec::new())));
        assert_eq!(consistency_proof(5, 5, &lookup), Ok(Some(Vec::new())));
        assert!(inclusion_nodes(3, 3).is_empty());
        assert!(consistency_nodes(4, 3).is_empty());
        assert!(root_nodes(0).is_empty());
        assert!(!verify_inclusion(&[0; 32], 0, 0, &[], &empty_root()));
        assert!(matches!(
            Frontier::from_parts(3, vec![[0; 32]]),
            Err(MerkleError::FrontierNodeCount {
                size: 3,
                expected: 2,
                actual: 1
            })
        ));
    }

    #[test]
    fn missing_nodes_give_none() {
        let (_, mut nodes) = kat_tree();
        nodes.remove(&(1, 1)); // leaves 2..4
        let lookup = |id: NodeId| nodes.get(&id).copied();
        assert_eq!(inclusion_proof(0, 4, &lookup), Ok(None));
        assert_eq!(consistency_proof(2, 4, &lookup), Ok(None));
        assert!(root_from(5, &lookup).unwrap().is_some()); // (2, 0) covers leaves 0..4
        nodes.remove(&(2, 0));
        let lookup = |id: NodeId| nodes.get(&id).copied();
        assert_eq!(root_from(5, &lookup), Ok(None));
    }

    #[test]
    fn frontier_push_and_parts() {
        let mut frontier = Frontier::new();
        let leaf = leaf_hash(b"a");
        assert_eq!(frontier.push(leaf), vec![((0, 0), leaf)]);
        let completed = frontier.push(leaf);
        assert_eq!(completed.len(), 2);
        assert_eq!(completed[0], ((0, 1), leaf));
        assert_eq!(completed[1], ((1, 0), node_hash(&leaf, &leaf)));
        frontier.push(leaf);
        let completed = frontier.push(leaf);
        let ids: Vec<NodeId> = completed.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![(0, 3), (1, 1), (2, 0)]);
        assert_eq!(Frontier::node_ids(13), vec![(3, 0), (2, 2), (0, 12)]);
        assert_eq!(Frontier::node_ids(0), Vec::<NodeId>::new());
        let copy = Frontier::from_parts(frontier.size(), frontier.nodes().to_vec()).unwrap();
        assert_eq!(copy, frontier);
    }

    /// Checks that `nodes` is exactly what `compute` needs: it succeeds on a map holding only
    /// those nodes, and fails when any one of them is missing.
    fn check_exact_nodes<T: PartialEq + std::fmt::Debug>(
        all: &HashMap<NodeId, Hash>,
        nodes: &[NodeId],
        want: &T,
        compute: impl Fn(Lookup<'_>) -> Option<T>,
    ) -> Result<(), TestCaseError> {
        let only: HashMap<NodeId, Hash> = nodes.iter().map(|id| (*id, all[id])).collect();
        let got = compute(&|id| only.get(&id).copied());
        prop_assert_eq!(got.as_ref(), Some(want));
        for skip in nodes {
            let lookup = |id: NodeId| {
                if id == *skip {
                    None
                } else {
                    only.get(&id).copied()
                }
            };
            prop_assert!(compute(&lookup).is_none(), "{:?} was not needed", skip);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn trees_and_proofs(n in 1u64..300, index_seed in any::<u64>(), old_seed in any::<u64>()) {
            let index = index_seed % n;
            let old = old_seed % (n + 1);
            // One leaf past n, so a wrong size n + 1 has a true root to be checked against.
            let leaves: Vec<Hash> = (0..=n).map(|i| leaf_hash(&i.to_le_bytes())).collect();

            let mut frontier = Frontier::new();
            let mut all = HashMap::new();
            let mut roots = vec![empty_root()];
            let mut memo = HashMap::new();
            prop_assert_eq!(frontier.root(), naive_root(&leaves, 0, 0, &mut memo));
            for (i, leaf) in leaves[..n as usize].iter().enumerate() {
                all.extend(frontier.push(*leaf));
                let root = naive_root(&leaves, 0, i + 1, &mut memo);
                prop_assert_eq!(frontier.root(), root, "frontier root at size {}", i + 1);
                roots.push(root);
            }
            roots.push(naive_root(&leaves, 0, leaves.len(), &mut memo));
            let lookup = |id: NodeId| all.get(&id).copied();
            for size in 0..=n {
                prop_assert_eq!(root_from(size, &lookup), Ok(Some(roots[size as usize])));
            }
            let ids: Vec<NodeId> = Frontier::node_ids(n);
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            prop_assert_eq!(root_nodes(n), sorted);
            let parts: Vec<Hash> = ids.iter().map(|id| all[id]).collect();
            prop_assert_eq!(&Frontier::from_parts(n, parts).unwrap(), &frontier);

            // Inclusion.
            let (leaf, root) = (leaves[index as usize], roots[n as usize]);
            let proof = inclusion_proof(index, n, &lookup).unwrap().unwrap();
            prop_assert!(verify_inclusion(&leaf, index, n, &proof, &root));
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flip(&bad[i]);
                prop_assert!(!verify_inclusion(&leaf, index, n, &bad, &root));
            }
            prop_assert!(!verify_inclusion(&leaf, index, n, &proof, &flip(&root)));
            prop_assert!(!verify_inclusion(&flip(&leaf), index, n, &proof, &root));
            for wrong in [index.wrapping_sub(1), index + 1, index ^ 1, index ^ 2] {
                if wrong != index {
                    prop_assert!(!verify_inclusion(&leaf, wrong, n, &proof, &root));
                }
            }
            // A wrong size is checked against that size's true root: a (size, root) pair
            // comes from one signed checkpoint, so nothing else can be claimed.
            for wrong in [n - 1, n + 1, n * 2, n / 2] {
                if wrong != n && wrong > index && wrong <= n + 1 {
                    let wrong_root = roots[wrong as usize];
                    prop_assert!(!verify_inclusion(&leaf, index, wrong, &proof, &wrong_root));
                }
            }
            check_exact_nodes(&all, &inclusion_nodes(index, n), &proof, |l| {
                inclusion_proof(index, n, l).unwrap()
            })?;
            check_exact_nodes(&all, &root_nodes(n), &root, |l| root_from(n, l).unwrap())?;

            // Consistency.
            let old_root = roots[old as usize];
            let proof = consistency_proof(old, n, &lookup).unwrap().unwrap();
            prop_assert!(verify_consistency(old, n, &old_root, &root, &proof));
            prop_assert_eq!(proof.is_empty(), old == 0 || old == n);
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flip(&bad[i]);
                prop_assert!(!verify_consistency(old, n, &old_root, &root, &bad));
            }
            prop_assert!(!verify_consistency(old, n, &flip(&old_root), &root, &proof));
            if old != 0 {
                // The empty tree is consistent with every tree, whatever its root.
                prop_assert!(!verify_consistency(old, n, &old_root, &flip(&root), &proof));
            }
            // The empty proof is also right for (0, n) and (n, n), so those are not wrong.
            for wrong in [old.wrapping_sub(1), old + 1, old ^ 1, old ^ 2] {
                let legit = proof.is_empty() && (wrong == 0 || wrong == n);
                if wrong != old && wrong <= n && !legit {
                    let wrong_root = roots[wrong as usize];
                    prop_assert!(!verify_consistency(wrong, n, &wrong_root, &root, &proof));
                }
            }
            for wrong in [n - 1, n + 1, n * 2, n / 2] {
                if wrong != n && wrong >= old && wrong <= n + 1 && old != 0 {
                    let wrong_root = roots[wrong as usize];
                    prop_assert!(!verify_consistency(old, wrong, &old_root, &wrong_root, &proof));
                }
            }
            check_exact_nodes(&all, &consistency_nodes(old, n), &proof, |l| {
                consistency_proof(old, n, l).unwrap()
            })?;
        }
    }
}
