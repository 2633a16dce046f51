with

daily as (

    select * from {{ ref('int_automation__escalations_daily') }}

),

final as (

    select
        date,
        total_escalations,
        sla_risk_escalations,
        stuck_order_escalations,
        unresponsive_driver_escalations,
        failed_delivery_escalations,
        critical_escalations,
        high_escalations,
        resolved_escalations,
        open_escalations,
        avg_delay_minutes
    from daily
    order by date desc

)

select * from final
