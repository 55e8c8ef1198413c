// name: campaigns
// title: Campaigns
// description: >
//   Every Campaign found by analysis, largest first: size, modalities, time span,
//   top URLs and domains, and the number of evidence posts.
// parameters: {}
// writes: false
MATCH (c:Campaign)
OPTIONAL MATCH (c)-[:EVIDENCE]->(p:Post)
RETURN c.uid AS campaign, c.label AS label, c.size AS size, c.modalities AS modalities,
       c.first_time AS first_time, c.last_time AS last_time, c.top_urls AS top_urls,
       c.top_domains AS top_domains, count(DISTINCT p) AS evidence_posts
ORDER BY size DESC, campaign
