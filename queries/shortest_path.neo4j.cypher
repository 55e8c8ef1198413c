// name: shortest_path
// title: Shortest path between two entities
// description: >
//   One shortest path (at most 8 steps, any edge kind, either direction) between two
//   entities: its length, the uids of its nodes and the uids of its edges (an edge uid
//   reads src>KIND>dst). No row when they are not connected.
// parameters:
//   source: {type: string, required: true, description: "uid of the first entity"}
//   target: {type: string, required: true, description: "uid of the second entity"}
// writes: false
MATCH (a) WHERE a.uid = $source
MATCH (b) WHERE b.uid = $target
MATCH p = shortestPath((a)-[*..8]-(b))
WHERE none(x IN nodes(p)[1..-1] WHERE x.uid STARTS WITH 'capture:')
RETURN length(p) AS hops, [x IN nodes(p) | x.uid] AS nodes, [x IN relationships(p) | x.uid] AS edges
