/**
 * The two MQTT 3.1.1 packets an anonymous check needs (advisories.md §3.7): CONNECT with no
 * credentials and a clean session, read CONNACK, then DISCONNECT. Never SUBSCRIBE or PUBLISH. Pure.
 */

export const MQTT_DISCONNECT: Buffer = Buffer.from([0xe0, 0x00]);

/** CONNECT, protocol "MQTT" level 4, flags 0x02 (clean session, no will, no username/password). */
export function encodeMqttConnect(clientId: string, keepAliveSeconds = 10): Buffer {
  const id = Buffer.from(clientId.slice(0, 23), 'utf8'); // 3.1.1 §3.1.3.1: servers must accept 1..23 bytes
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, keepAliveSeconds >> 8, keepAliveSeconds & 0xff]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const remaining = variable.length + payload.length; // < 128, so one length byte
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}

export const CONNACK_RETURN_CODES: Readonly<Record<number, string>> = {
  0: 'accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

export interface Connack {
  sessionPresent: boolean;
  returnCode: number;
  meaning: string;
}

/** `null` while fewer than 4 bytes are in; `'bad'` when the first packet is not a CONNACK. */
export function decodeConnack(data: Uint8Array): Connack | null | 'bad' {
  if (data.length === 0) return null;
  if (data[0] !== 0x20) return 'bad';
  if (data.length < 2) return null;
  if (data[1] !== 0x02) return 'bad';
  if (data.length < 4) return null;
  const returnCode = data[3]!;
  return {
    sessionPresent: (data[2]! & 0x01) === 1,
    returnCode,
    meaning: CONNACK_RETURN_CODES[returnCode] ?? `unknown (${returnCode})`,
  };
}
