package dev.connmon.cluster;

/**
 * Every PostgreSQL advisory lock connmon takes, in one place: two uses of one id wait on each other (the alert
 * leader once shared 7239043 with the log-partition functions and blocked them for good).
 */
public final class AdvisoryLocks {
    /** Transaction lock: writers of the change feed take turns (StateChanges.LOCK_CHANGE_FEED). */
    public static final long CHANGE_FEED = 7239041;
    /** Session lock: the instance that publishes the MQTT monitoring topic (MonitorPublisher). */
    public static final long MONITOR_LEADER = 7239042;
    /** Transaction lock taken in SQL by connmon_log_partitions and connmon_drop_log_partitions (migration V6). */
    public static final long LOG_PARTITIONS = 7239043;
    /** Transaction try-lock: the instance that writes this interval's timeline sample (TimelineSampler). */
    public static final long TIMELINE_SAMPLE = 7239044;
    /** Transaction lock: writers of alert events take turns (AlertRepository). */
    public static final long ALERT_EVENTS = 7239045;
    /** Session lock: the instance that evaluates the alert rules and delivers their webhooks (AlertEvaluator). */
    public static final long ALERT_LEADER = 7239046;
    /** Session lock: the instance that produces the Kafka state topic (KafkaStatePublisher). */
    public static final long KAFKA_STATE_LEADER = 7239047;

    private AdvisoryLocks() {}
}
