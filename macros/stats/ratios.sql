{#- The firm-panel variables of SPEC section 3: a ratio is NULL when its denominator is <= 0 or when it
    lies beyond its cap (a var), so recording errors do not drive the regressions; a log is NULL for
    values <= 0. `inclusive` says whether the cap itself is allowed (fixed/asset <= 1) or not (AR/sales < 2). -#}

{% macro capped_ratio(numerator, denominator, cap, inclusive=false) -%}
  case when {{ denominator }} > 0
        and {{ numerator }} * 1.0 / {{ denominator }} {{ '<=' if inclusive else '<' }} {{ cap }}
       then {{ numerator }} * 1.0 / {{ denominator }} end
{%- endmacro %}

{% macro log_positive(expression) -%}
  case when {{ expression }} > 0 then ln({{ expression }}) end
{%- endmacro %}
