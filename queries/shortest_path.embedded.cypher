// name: shortest_path
// title: Shortest path between two entities
// description: >
//   One shortest path (at most 8 steps, any edge kind, either direction) between two
//   entities: its length, the uids of its nodes and the uids of its edges (an edge uid
//   reads src>KIND>dst). No row when they are not connected.
//   (LadybugDB spelling: [* SHORTEST 1..8] and properties(nodes(p), 'uid').)
// parameters:
//   source: {type: string, required: true, description: "uid of the first entity"}
//   target: {type: string, required: true, description: "uid of the second entity"}
// writes: false
MATCH (a) WHERE a.uid = $source
MATCH (b) WHERE b.uid = $target
MATCH p = (a)-[* SHORTEST 1..8 (r, n | WHERE NOT n.uid STARTS WITH 'capture:')]-(b)
RETURN length(p) AS hops, properties(nodes(p), 'uid') AS nodes, properties(rels(p), 'uid') AS edges
LIMIT 1
