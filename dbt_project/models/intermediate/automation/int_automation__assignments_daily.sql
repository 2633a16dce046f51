with

assignments as (

    select * from {{ ref('stg_automation__assignment_logs') }}

),

dated as (

    select
        *,
        {{ automation_stats_date('assigned_at') }} as date
    from assignments
    where assigned_at is not null

),

final as (

    select
        date,
        count(*) as total_assignments,
        {{ count_where("assignment_type = 'AUTO_ASSIGNED'") }} as auto_assigned,
        {{ count_where("assignment_type = 'FORCE_ASSIGNED'") }} as force_assigned,
        {{ count_where("assignment_type = 'MANUAL'") }} as manual_assignments,
        avg(total_score) as avg_total_score,
        avg(distance_score) as avg_distance_score,
        avg(time_score) as avg_time_score,
        avg(load_score) as avg_load_score,
        avg(priority_score) as avg_priority_score,
        min(total_score) as min_score,
        max(total_score) as max_score,
        {{ touched_partitions_audit_columns() }}
    from dated
    {{- where_touched('dated', ['date']) }}
    group by date

)

select * from final
