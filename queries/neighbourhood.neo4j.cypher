// name: neighbourhood
// title: Neighbourhood of an entity
// description: >
//   Every node one step from the entity with the given uid, over any edge kind and in
//   either direction: the edge kind, its direction seen from the entity, and the
//   neighbour's kind and name. Ordered by edge kind, then neighbour uid.
// parameters:
//   uid: {type: string, required: true, description: "uid of any node"}
//   limit: {type: int, default: 100, description: "at most this many rows"}
// writes: false
MATCH (n)-[r]-(m)
WHERE n.uid = $uid AND NOT m.uid STARTS WITH 'capture:'
RETURN n.uid AS uid, type(r) AS relation,
       CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction,
       m.uid AS neighbour, labels(m)[0] AS neighbour_kind,
       coalesce(m.handle, m.domain, m.title, m.name, m.label, m.value, m.url, m.status, m.source, m.uid) AS neighbour_name,
       r.time AS time
ORDER BY relation, neighbour, time
LIMIT $limit
