with

source as (

    select * from {{ latest_version(source('automation', 'dispatch_alerts'), ['id']) }}

),

final as (

    select
        id as dispatch_alert_id,
        order_id,
        alert_type,
        severity,
        message,
        description,
        resolved as is_resolved,
        status,
        resolved_at,
        resolved_by,
        created_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
