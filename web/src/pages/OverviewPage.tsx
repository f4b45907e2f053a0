import { useMemo } from 'react';
import type { TrafficCounter, TrafficOverview } from '../../../core/api/responses';
import { Chart, NHS_BLUE, NHS_GREEN, NHS_GREY, NHS_RED } from '../Chart';
import { useOverview } from '../hooks';
import { duration, rangeOf } from '../ranges';
import { Problem } from './Problem';
import { RangeChoice } from './RangeChoice';
import { Table } from './Table';

const percent = (value?: number) => (value === undefined ? 'No answers yet' : `${value}%`);

function Figure(props: { label: string; value: string; hint?: string }) {
  return (
    <div className="nhsuk-card nhsuk-u-margin-bottom-0">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-s">{props.label}</h2>
        <p className="nhsuk-heading-m nhsuk-u-margin-bottom-1">{props.value}</p>
        {props.hint && <p className="nhsuk-body-s nhsuk-u-margin-bottom-0">{props.hint}</p>}
      </div>
    </div>
  );
}

/** A step's label on the chart's axis: the hour, or the day. */
const stepLabel = (start: string, step: 'hour' | 'day') =>
  new Date(start).toLocaleString('en-GB', {
    timeZone: 'Europe/London',
    ...(step === 'hour'
      ? { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' }
      : { dateStyle: 'medium' }),
  });

function trafficChart(overview: TrafficOverview) {
  const series = (name: string, color: string, pick: (c: Record<TrafficCounter, number>) => number) => ({
    name,
    color,
    type: 'line',
    smooth: false,
    symbolSize: 4,
    data: overview.series.map(pick),
  });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: overview.series.map((s) => stepLabel(s.start, overview.step)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      series('Received', NHS_BLUE, (c) => c.received),
      series('Delivered', NHS_GREEN, (c) => c.delivered),
      series('Failed', NHS_RED, (c) => c.failed),
      series('Care home requests', NHS_GREY, (c) => c.tasks),
    ],
  };
}

function servicesChart(overview: TrafficOverview) {
  const top = overview.byService.slice(0, 10).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 260, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: top.map((s) => s.name), axisLabel: { width: 240, overflow: 'truncate' } },
    series: [
      { name: 'Accepted', color: NHS_GREEN, type: 'bar', stack: 'answer', data: top.map((s) => s.accepted) },
      { name: 'Rejected', color: NHS_RED, type: 'bar', stack: 'answer', data: top.map((s) => s.rejected) },
      {
        name: 'Not answered',
        color: NHS_GREY,
        type: 'bar',
        stack: 'answer',
        data: top.map((s) => Math.max(0, s.received - s.answered)),
      },
    ],
  };
}

function Totals(props: { caption: string; heading: string; rows: TrafficOverview['byService'] }) {
  return (
    <Table
      caption={props.caption}
      headings={[props.heading, 'Received', 'Delivered', 'Failed', 'Accepted', 'Rejected', 'Completed']}
      rows={props.rows.map((r) => ({
        key: r.key,
        cells: [r.name, r.received, r.delivered, r.failed, r.accepted, r.rejected, r.completed].map(String),
      }))}
    />
  );
}

/** Ops' first view: is work flowing, is it being taken on, is anything stuck; over a range they choose. */
export function OverviewPage({ query }: { query: URLSearchParams }) {
  const range = rangeOf(query);
  const { data, error, loading } = useOverview(range.hours);
  const charts = useMemo(() => data && { traffic: trafficChart(data), services: servicesChart(data) }, [data]);
  return (
    <>
      <h1>Overview</h1>
      <RangeChoice path="/overview" current={range.key} />
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && charts && (
        <>
          <div className="hub-figures">
            <Figure
              label={`Received in the ${range.label.toLowerCase()}`}
              value={String(data.totals.received)}
              hint={`Referrals and requests, ${data.totals.tasks} of them care home requests; ${data.totals.delivered} delivered in the same time (some received before it)`}
            />
            <Figure
              label="Taken on by receivers"
              value={percent(data.acceptanceRate)}
              hint={`Of the ${data.totals.accepted + data.totals.rejected} accepted or rejected in the ${range.label.toLowerCase()}: ${data.totals.accepted} accepted, ${data.totals.rejected} rejected`}
            />
            <Figure
              label="Could not be delivered"
              value={data.failureRate === undefined ? 'Nothing received' : `${data.failureRate}%`}
              hint={`${data.totals.failed} failed, of the ${data.totals.received} received in the ${range.label.toLowerCase()}`}
            />
            <Figure
              label="Time to deliver"
              value={
                data.deliveryLatency.p50Seconds === undefined
                  ? 'Nothing delivered'
                  : `Half within ${duration(data.deliveryLatency.p50Seconds)}`
              }
              {...(data.deliveryLatency.p95Seconds !== undefined
                ? {
                    hint: `95 in 100 within ${duration(data.deliveryLatency.p95Seconds)}; over the ${data.totals.delivered} delivered in the ${range.label.toLowerCase()}`,
                  }
                : {})}
            />
            <Figure
              label="Waiting to be sent now"
              value={String(data.queue.depth)}
              hint={
                data.queue.oldestWaitingSeconds === undefined
                  ? 'Nothing is waiting'
                  : `The oldest has waited ${duration(data.queue.oldestWaitingSeconds)}`
              }
            />
          </div>
          {data.totals.received === 0 ? (
            <p className="nhsuk-body">No referrals or requests in this time.</p>
          ) : (
            <>
              <h2>Traffic {data.step === 'hour' ? 'per hour' : 'per day'}</h2>
              <Chart
                option={charts.traffic}
                summary={`Line chart: ${data.totals.received} received (${data.totals.tasks} of them care home requests), ${data.totals.delivered} delivered and ${data.totals.failed} failed ${range.label.toLowerCase()}, ${data.step === 'hour' ? 'per hour' : 'per day'}.`}
              />
              <h2>What receivers did with their referrals</h2>
              <Chart
                option={charts.services}
                height={Math.max(200, 60 + 32 * Math.min(10, data.byService.length))}
                summary="Bar chart of each service's accepted, rejected and unanswered referrals; the same figures are in the table of services below."
              />
              <h2>By service</h2>
              <Totals caption="Traffic by receiving service" heading="Service" rows={data.byService} />
              <h2>By receiving organisation</h2>
              <Totals caption="Traffic by receiving organisation" heading="Organisation" rows={data.byDestination} />
              <h2>By network</h2>
              <Totals caption="Traffic by Primary Care Network" heading="Network" rows={data.byNetwork} />
            </>
          )}
        </>
      )}
    </>
  );
}
