// name: campaign_members
// title: Members of a campaign
// description: >
//   The accounts that are MEMBER_OF a campaign, with their role and degree, how many
//   evidence posts each wrote, and their coordination weight inside the campaign.
// parameters:
//   campaign: {type: string, required: true, description: "campaign uid, e.g. campaign:0"}
// writes: false
MATCH (a:Account)-[m:MEMBER_OF]->(c:Campaign)
WHERE c.uid = $campaign
OPTIONAL MATCH (c)-[:EVIDENCE]->(p:Post)<-[:POSTED]-(a)
WITH c, a, m, count(DISTINCT p) AS evidence_posts
OPTIONAL MATCH (a)-[w:COORDINATED_WITH]-(b:Account)-[:MEMBER_OF]->(c)
RETURN a.uid AS account, a.platform AS platform, a.handle AS handle, a.display_name AS display_name,
       m.role AS role, m.degree AS degree, evidence_posts, count(DISTINCT b) AS partners_in_campaign,
       sum(w.weight) AS weight_in_campaign
ORDER BY weight_in_campaign DESC, account
