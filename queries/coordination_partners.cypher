// name: coordination_partners
// title: Co-sharing partners of an account
// description: >
//   The accounts an account is COORDINATED_WITH (either direction), heaviest first:
//   weight, number of co-shares, modalities and the first and last co-action.
// parameters:
//   uid: {type: string, required: true, description: "account uid"}
//   min_weight: {type: float, default: 0.0, description: "leave out lighter edges"}
// writes: false
MATCH (a:Account)-[c:COORDINATED_WITH]-(b:Account)
WHERE a.uid = $uid AND c.weight >= $min_weight AND b.uid <> a.uid
RETURN b.uid AS partner, b.handle AS handle, c.weight AS weight, c.co_shares AS co_shares,
       c.modalities AS modalities, c.first_time AS first_time, c.last_time AS last_time, c.window AS window
ORDER BY weight DESC, partner
