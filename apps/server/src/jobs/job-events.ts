import { Injectable } from '@nestjs/common';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { JobRow, jobView } from './job.model.js';

/**
 * `job_updated` on every status change (Mattermost's publishJobStatus): `data.job` is the job as a
 * JSON string. Job data can name files and users, so only system admins receive it
 * (contains_sensitive_data, as Mattermost marks admin-only events).
 */
@Injectable()
export class JobEvents {
  constructor(private readonly publisher: EventPublisher) {}

  statusChanged(row: JobRow): void {
    const event = newEvent(WsEvents.JobUpdated, { contains_sensitive_data: true }, { job: JSON.stringify(jobView(row)) });
    this.publisher.publish(event);
  }
}
