/**
 * Placing agents on threads: {@link io.junction.agent.AgentPlacement} runs an agent on a thread of its own
 * (pinned or not) or on the caller's, and names the threads after the agents' roles.
 */
package io.junction.agent;
