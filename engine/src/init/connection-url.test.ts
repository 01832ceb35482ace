import { describe, expect, it } from 'vitest';
import { parseUrl, urlsOnLine } from './connection-url.js';

describe('parseUrl', () => {
  it('splits a connection URL', () => {
    expect(parseUrl('postgresql+asyncpg://u%40x:p@h:6543/db?sslmode=disable')).toEqual({
      scheme: 'postgresql+asyncpg',
      user: 'u@x',
      password: 'p',
      host: 'h',
      port: 6543,
      path: 'db',
    });
    expect(parseUrl('redis://localhost')).toEqual({
      scheme: 'redis',
      user: '',
      password: '',
      host: 'localhost',
      path: '',
    });
    expect(parseUrl('postgres://')).toBeUndefined();
  });

  it('takes the first host of a list and reads JDBC URLs', () => {
    expect(parseUrl('mongodb://a:b@mongo1:27017,mongo2:27017/shop?replicaSet=rs0')).toMatchObject({
      host: 'mongo1',
      port: 27017,
      path: 'shop',
    });
    expect(parseUrl('jdbc:postgresql://db:5432/app')).toMatchObject({ scheme: 'postgresql', host: 'db', path: 'app' });
  });
});

describe('urlsOnLine', () => {
  it('finds each kind by its scheme', () => {
    const line =
      'a="postgres://db/x" b=mysql+pymysql://m/y c=mariadb://mdb/z d=rediss://cache:6380 e=mongodb+srv://cluster/app f=amqp://guest:guest@rabbitmq:5672/ g=kafka://broker:9092';
    expect(urlsOnLine(line).map((u) => [u.kind, u.url])).toEqual([
      ['postgres', 'postgres://db/x'],
      ['mysql', 'mysql+pymysql://m/y'],
      ['mariadb', 'mariadb://mdb/z'],
      ['redis', 'rediss://cache:6380'],
      ['mongodb', 'mongodb+srv://cluster/app'],
      ['rabbitmq', 'amqp://guest:guest@rabbitmq:5672/'],
      ['kafka', 'kafka://broker:9092'],
    ]);
  });

  it('takes an HTTP URL for Elasticsearch by its port or its usual host name, and nothing else', () => {
    expect(urlsOnLine("es = Elasticsearch('http://localhost:9200')")).toEqual([
      { kind: 'elasticsearch', url: 'http://localhost:9200' },
    ]);
    expect(urlsOnLine('ELASTICSEARCH_URL=http://elasticsearch:9200')).toEqual([
      { kind: 'elasticsearch', url: 'http://elasticsearch:9200' },
    ]);
    expect(urlsOnLine("fetch('http://backend:8000/api')")).toEqual([]);
    expect(urlsOnLine('see https://www.postgresql.org/docs/')).toEqual([]);
  });

  it('keeps a JDBC URL without its prefix', () => {
    expect(urlsOnLine('spring.datasource.url=jdbc:postgresql://db:5432/shop')).toEqual([
      { kind: 'postgres', url: 'postgresql://db:5432/shop' },
    ]);
  });
});
