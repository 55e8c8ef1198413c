// name: top_urls
// title: Top shared URLs in a period
// description: >
//   URLs most shared between since (inclusive) and until (exclusive): a share is a post
//   linking to the URL or a repost of such a post, timed by the POSTED/REPOSTED edge.
//   Times accept epoch seconds or ISO 8601 dates.
// parameters:
//   since: {type: time, default: 0, description: "start of the period"}
//   until: {type: time, default: 4102444800, description: "end of the period (default 2100-01-01)"}
//   limit: {type: int, default: 20, description: "at most this many URLs"}
// writes: false
MATCH (a:Account)-[s:POSTED|REPOSTED]->(p:Post)-[:LINKS_TO]->(u:Url)
WHERE s.time >= $since AND s.time < $until
RETURN u.url AS url, u.domain AS domain, count(*) AS shares, count(DISTINCT a) AS accounts,
       count(DISTINCT p) AS posts, min(s.time) AS first_time, max(s.time) AS last_time
ORDER BY shares DESC, accounts DESC, url
LIMIT $limit
