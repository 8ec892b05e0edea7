// Toast helpers: errors always carry the server's message, never a bare "Error".
import { notifications } from '@mantine/notifications';
import { errorMessage } from '@/api/errors';

export function notifyError(title: string, error: unknown): void {
  notifications.show({ color: 'red', title, message: errorMessage(error), autoClose: 8000 });
}

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'teal', title, message, autoClose: 4000 });
}

export function notifyInfo(message: string, title?: string): void {
  notifications.show({ color: 'blue', title, message, autoClose: 6000 });
}
