import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the console draws is bundled (ECharts is tree-shaken); SVG keeps charts sharp and light.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** NHS identity colours. */
export const NHS_BLUE = '#005eb8';
export const NHS_GREEN = '#007f3b';
export const NHS_RED = '#d5281b';
export const NHS_GREY = '#768692';
const CHART_COLOURS = [NHS_BLUE, NHS_GREEN, NHS_RED, NHS_GREY, '#ffb81c'];

/**
 * One chart. The figures it draws are also in a table on the same page, so the drawing is an image with a summary
 * for screen readers, not the only way to the numbers.
 */
export function Chart(props: { option: echarts.EChartsCoreOption; summary: string; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      color: CHART_COLOURS,
      textStyle: { fontFamily: 'Arial, sans-serif' },
      ...props.option,
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [props.option]);
  return (
    <div ref={element} role="img" aria-label={props.summary} style={{ width: '100%', height: props.height ?? 320 }} />
  );
}
