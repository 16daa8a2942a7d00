//! Per directory, the graph of its direct children and the circles in it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use crate::model::{Crate, ModPath, Reference, Target};

/// One circle among the children of `dir`: `nodes[0] -> nodes[1] -> … -> nodes[0]`, with one
/// reference making each edge.
pub struct Circle {
    dir: ModPath,
    nodes: Vec<String>,
    examples: Vec<Reference>,
}

impl Circle {
    pub fn describe(&self, root: &Path) -> String {
        let dir = if self.dir.is_empty() { "src/".to_owned() } else { format!("src/{}/", self.dir.join("/")) };
        let mut ring = self.nodes.clone();
        ring.push(self.nodes[0].clone());
        let mut out = format!("in {dir}: {}\n", ring.join(" -> "));
        for (k, r) in self.examples.iter().enumerate() {
            let file = r.file.strip_prefix(root).unwrap_or(&r.file).display();
            let (from, to) = (&ring[k], &ring[k + 1]);
            out.push_str(&format!("    {from} -> {to}: {file}:{} `{}`\n", r.line, r.written));
        }
        out
    }
}

type Edges = BTreeMap<(String, String), Reference>;

/// Every circle, each edge of a strongly connected part lying on at least one of them.
pub fn find(krate: &Crate) -> Vec<Circle> {
    let mut graphs: BTreeMap<ModPath, Edges> = BTreeMap::new();
    for file in &krate.files {
        for r in &file.references {
            let Target::Module(target) = &r.target else { continue };
            let k = file.module.iter().zip(target).take_while(|(a, b)| a == b).count();
            if k < file.module.len() && k < target.len() {
                let key = (file.module[k].clone(), target[k].clone());
                graphs.entry(file.module[..k].to_vec()).or_default().entry(key).or_insert_with(|| r.clone());
            }
        }
    }
    let mut circles = Vec::new();
    for (dir, edges) in graphs {
        let mut seen = BTreeSet::new();
        for (from, to) in edges.keys() {
            let Some(back) = shortest(&edges, to, from) else { continue };
            let mut nodes = vec![from.clone()];
            nodes.extend(back[..back.len() - 1].iter().cloned());
            let start = (0..nodes.len()).min_by_key(|&i| &nodes[i]).unwrap();
            nodes.rotate_left(start);
            if seen.insert(nodes.clone()) {
                let examples = (0..nodes.len())
                    .map(|i| edges[&(nodes[i].clone(), nodes[(i + 1) % nodes.len()].clone())].clone())
                    .collect();
                circles.push(Circle { dir: dir.clone(), nodes, examples });
            }
        }
    }
    circles
}

/// The shortest path `from` … `to` (both included) along `edges`.
fn shortest(edges: &Edges, from: &str, to: &str) -> Option<Vec<String>> {
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([from.to_owned()]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![node.clone()];
            while let Some(p) = previous.get(path.last().unwrap()) {
                path.push(p.clone());
            }
            path.reverse();
            return Some(path);
        }
        for (_, next) in
            edges.range((node.clone(), String::new())..).take_while(|((a, _), _)| *a == node).map(|(k, _)| k)
        {
            if next != from && !previous.contains_key(next) {
                previous.insert(next.clone(), node.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}
