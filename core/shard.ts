/**
 * Which of `shards` partitions a key goes to: a stable, cheap hash (FNV-1a), spreading ids evenly. Used where one
 * DynamoDB key would otherwise take every write (listings, counters); readers read every shard.
 */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}
