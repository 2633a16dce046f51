{#- Scores are 0-100 by design; rows outside are reported (severity warn in use), not dropped. -#}
{% test score_in_range(model, column_name, min_value=0, max_value=100) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}

{% endtest %}
