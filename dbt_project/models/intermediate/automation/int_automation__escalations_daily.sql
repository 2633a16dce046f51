with

escalations as (

    select * from {{ ref('stg_automation__escalation_logs') }}

),

dated as (

    select
        *,
        {{ automation_stats_date('created_at') }} as date
    from escalations
    where created_at is not null  -- no day to count it in: listed in automation_rejects

),

final as (

    select
        date,
        count(*) as total_escalations,
        {{ count_where("escalation_type = 'SLA_RISK'") }} as sla_risk_escalations,
        {{ count_where("escalation_type = 'STUCK_ORDER'") }} as stuck_order_escalations,
        {{ count_where("escalation_type = 'UNRESPONSIVE_DRIVER'") }} as unresponsive_driver_escalations,
        {{ count_where("escalation_type = 'FAILED_DELIVERY'") }} as failed_delivery_escalations,
        {{ count_where("severity = 'critical'") }} as critical_escalations,
        {{ count_where("severity = 'high'") }} as high_escalations,
        {{ count_where("status = 'resolved'") }} as resolved_escalations,
        {{ count_where("status = 'open'") }} as open_escalations,
        avg(current_delay_minutes) as avg_delay_minutes,
        {{ touched_partitions_audit_columns() }}
    from dated
    {{- where_touched('dated', ['date']) }}
    group by date

)

select * from final
