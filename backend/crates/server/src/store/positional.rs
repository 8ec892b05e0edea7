//! Rows of the big lists (jobs, job logs, audit events) read by column position. sea-orm's
//! derived reader formats each column's name for every row, and a message for every NULL
//! it meets: on a page of 50 jobs that cost a quarter of the server's time (perf, P5).

/// `$reader($model)`: reads a `$model` from a row whose columns come in the model's own
/// field order, which is what `Entity::find()` selects (its `Column::iter()` order; the
/// tests below hold the field lists to it).
macro_rules! positional {
    ($reader:ident, $entity:ident { $($field:ident),* $(,)? }) => {
        pub struct $reader(pub super::entities::$entity::Model);

        impl $reader {
            /// The fields in the order they are read.
            #[cfg(test)]
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The column names `Entity::find()` selects, in order.
            #[cfg(test)]
            pub fn columns() -> Vec<String> {
                use sea_orm::{IdenStatic, Iterable};
                super::entities::$entity::Column::iter().map(|c| c.as_str().to_string()).collect()
            }
        }

        impl sea_orm::FromQueryResult for $reader {
            #[allow(unused_assignments)]
            fn from_query_result(
                res: &sea_orm::QueryResult,
                _pre: &str,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut at = 0usize;
                Ok($reader(super::entities::$entity::Model {
                    $($field: {
                        let v = res.try_get_by_index(at)?;
                        at += 1;
                        v
                    },)*
                }))
            }
        }
    };
}

positional!(
    JobByPosition,
    job {
        id,
        host_id,
        repository_id,
        kind,
        status,
        actor_kind,
        actor,
        args,
        created_at,
        dispatched_at,
        started_at,
        finished_at,
        cancel_requested_at,
        exit_code,
        error_class,
        error_message,
        summary,
        snapshot_id,
        result,
        progress,
        last_seq,
        log_lines,
        dispatches,
        logs_removed_at,
        schedule_id,
        waiting_for,
    }
);

positional!(LogByPosition, job_log { job_id, seq, at, stream, line });

positional!(
    AuditByPosition,
    audit_event {
        id,
        time,
        actor_kind,
        actor_id,
        actor_name,
        source_ip,
        user_agent,
        action,
        target_kind,
        target_id,
        target_name,
        outcome,
        details,
        prev_hash,
        hash,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_the_order_the_columns_are_selected() {
        for (fields, columns) in [
            (JobByPosition::FIELDS, JobByPosition::columns()),
            (LogByPosition::FIELDS, LogByPosition::columns()),
            (AuditByPosition::FIELDS, AuditByPosition::columns()),
        ] {
            let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            assert_eq!(fields, columns);
        }
    }
}
