with

source as (

    select * from {{ latest_version(source('automation', 'escalation_logs'), ['id']) }}

),

final as (

    select
        id as escalation_log_id,
        order_id,
        driver_id,
        escalation_type,
        severity,
        reason,
        description,
        escalated_to,
        status,
        resolution,
        resolved_by,
        cast(sla_target_minutes as integer) as sla_target_minutes,
        cast(minutes_to_breach as integer) as minutes_to_breach,
        cast(current_delay_minutes as {{ type_double() }}) as current_delay_minutes,
        created_at,
        escalated_at,
        resolved_at,
        _dlt_load_id

    from source

)

select * from final
