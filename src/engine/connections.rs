//! How many database connections a deployment may open: instances × worker processes ×
//! (pool size + overflow). One calculation, used by the static check against the configured
//! server limit (`connections-exceed-server-limit`, from the deployment files) and by the live
//! probe against the server's own `max_connections` (`probe-pool-exceeds-max-connections`).
//!
//! Every worker process of every instance holds its own SQLAlchemy pool (`pool_size` connections
//! kept, `max_overflow` more under load): the pools never share.

/// The counts that multiply, each with where it came from (for the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Copies of the service (`numReplicas`, multi-region replicas, `--replicas`).
    pub instances: Count,
    /// Worker processes per instance (`--workers`, `-w`, `WEB_CONCURRENCY`).
    pub workers: Count,
    pub pool_size: i64,
    pub max_overflow: i64,
}

/// Instances and workers as the deployment files state them (each `None` when they do not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processes {
    pub instances: Option<Count>,
    pub workers: Option<Count>,
}

impl Processes {
    /// Instances × workers, with where each came from; `None` when the files say neither.
    pub fn total(&self) -> Option<Count> {
        if self.instances.is_none() && self.workers.is_none() {
            return None;
        }
        let value = |count: &Option<Count>| count.as_ref().map_or(1, |c| c.value.max(1));
        let from: Vec<&str> = [&self.instances, &self.workers]
            .into_iter()
            .flatten()
            .map(|count| count.from.as_str())
            .filter(|from| !from.is_empty())
            .collect();
        Some(Count::new(
            value(&self.instances).saturating_mul(value(&self.workers)),
            from.join(", "),
        ))
    }
}

/// A count and the words that say where it came from (`numReplicas = 3 in railway.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub value: i64,
    pub from: String,
}

impl Count {
    pub fn new(value: i64, from: impl Into<String>) -> Self {
        Count {
            value,
            from: from.into(),
        }
    }
}

impl Budget {
    /// Connections one process may hold; `None` when a count is negative (another rule's
    /// finding, not a budget).
    pub fn per_process(&self) -> Option<i64> {
        (self.pool_size >= 0 && self.max_overflow >= 0)
            .then(|| self.pool_size.saturating_add(self.max_overflow))
    }

    /// Processes that hold a pool at once: instances × workers (each at least 1).
    pub fn processes(&self) -> i64 {
        self.instances
            .value
            .max(1)
            .saturating_mul(self.workers.value.max(1))
    }

    /// Connections the whole deployment may open.
    pub fn total(&self) -> Option<i64> {
        Some(self.per_process()?.saturating_mul(self.processes()))
    }

    /// `(DB_POOL_SIZE 10 + DB_MAX_OVERFLOW 20) × 3 instances × 2 workers`, naming the variables
    /// as the caller does.
    pub fn explain(&self, pool_name: &str, overflow_name: &str) -> String {
        let plural = |count: i64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        let mut text = format!(
            "({pool_name} {} + {overflow_name} {})",
            self.pool_size, self.max_overflow
        );
        for (count, one, many) in [
            (&self.instances, "instance", "instances"),
            (&self.workers, "worker", "workers"),
        ] {
            text.push_str(&format!(" × {}", plural(count.value.max(1), one, many)));
            if !count.from.is_empty() {
                text.push_str(&format!(" ({})", count.from));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_process_of_every_instance_holds_a_pool() {
        let budget = Budget {
            instances: Count::new(3, "numReplicas = 3"),
            workers: Count::new(4, "--workers 4"),
            pool_size: 10,
            max_overflow: 20,
        };
        assert_eq!(budget.processes(), 12);
        assert_eq!(budget.total(), Some(360));
        assert_eq!(
            budget.explain("DB_POOL_SIZE", "DB_MAX_OVERFLOW"),
            "(DB_POOL_SIZE 10 + DB_MAX_OVERFLOW 20) × 3 instances (numReplicas = 3) × 4 workers (--workers 4)"
        );
        // Zero or negative counts mean one; a negative pool is no budget at all.
        let one = Budget {
            instances: Count::new(0, ""),
            workers: Count::new(-2, ""),
            pool_size: 5,
            max_overflow: 0,
        };
        assert_eq!(one.total(), Some(5));
        let negative = Budget {
            pool_size: -1,
            ..one
        };
        assert_eq!(negative.total(), None);
    }
}
