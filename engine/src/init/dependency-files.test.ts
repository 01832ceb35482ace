import { describe, expect, it } from 'vitest';
import { dependencyFileEcosystem, findClientLibraries } from './dependency-files.js';
import { memoryRepo } from './repo-files.js';

function libraries(files: Record<string, string>): string[] {
  return findClientLibraries(memoryRepo(files)).map((l) => `${l.kind} ${l.name} ${l.evidence.file}:${l.evidence.line}`);
}

describe('findClientLibraries', () => {
  it('reads requirements files, extras included, and skips comments and options', () => {
    expect(
      libraries({
        'requirements.txt': '# redis is for the cache\n-r base.txt\nflask==3.0\nredis>=5 ; python_version >= "3.8"\n',
        'requirements/prod.txt': 'celery[redis,msgpack]==5.3\nPsycopg2-Binary==2.9\n',
        'worker/requirements-dev.in': 'pika\nkafka-python\n',
      }),
    ).toEqual([
      'redis redis requirements.txt:4',
      'redis redis requirements/prod.txt:1',
      'postgres Psycopg2-Binary requirements/prod.txt:2',
      'rabbitmq pika worker/requirements-dev.in:1',
      'kafka kafka-python worker/requirements-dev.in:2',
    ]);
  });

  it('reads pyproject.toml (PEP 621 and Poetry), Pipfile, setup.cfg and setup.py', () => {
    expect(
      libraries({
        'a/pyproject.toml':
          '[project]\nname = "shop"\ndescription = "a redis cache"\ndependencies = [\n  "pymongo>=4",\n  "sqlalchemy[postgresql]",\n]\n[tool.mypy]\nmodule = ["redis.*"]\n',
        'b/pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\nelasticsearch = {version = "^8"}\n',
        'c/Pipfile': '[packages]\nmysqlclient = "*"\n',
        'd/setup.cfg': '[options]\ninstall_requires =\n    aio-pika>=9\n',
        'e/setup.py': 'setup(\n    name="x",\n    install_requires=["redis>=4", "flask"],\n)\n',
      }),
    ).toEqual([
      'mongodb pymongo a/pyproject.toml:5',
      'postgres postgresql a/pyproject.toml:6',
      'elasticsearch elasticsearch b/pyproject.toml:3',
      'mysql mysqlclient c/Pipfile:2',
      'rabbitmq aio-pika d/setup.cfg:3',
      'redis redis e/setup.py:3',
    ]);
  });

  it('reads package.json dependency maps only, on the line that declares each', () => {
    expect(
      libraries({
        'api/package.json':
          '{\n  "name": "redis",\n  "scripts": { "db": "mongodb" },\n  "dependencies": {\n    "express": "^4",\n    "mongoose": "^8"\n  },\n  "devDependencies": { "ioredis": "5", "@elastic/elasticsearch": "8" }\n}\n',
        'web/package.json': '{"dependencies":{"pg":"8","kafkajs":"2","amqplib":"0.10","mysql2":"3","mariadb":"3"}}',
        'broken/package.json': '{ "dependencies": { "redis": ',
      }),
    ).toEqual([
      'mongodb mongoose api/package.json:6',
      'redis ioredis api/package.json:8',
      'elasticsearch @elastic/elasticsearch api/package.json:8',
      'postgres pg web/package.json:1',
      'kafka kafkajs web/package.json:1',
      'rabbitmq amqplib web/package.json:1',
      'mysql mysql2 web/package.json:1',
      'mariadb mariadb web/package.json:1',
    ]);
  });

  it('reads go.mod, Gemfile, pom.xml and build.gradle', () => {
    expect(
      libraries({
        'go.mod':
          'module example.com/shop\n\nrequire (\n\tgithub.com/redis/go-redis/v9 v9.5.1\n\tgithub.com/jackc/pgx/v5 v5.5.0\n\tgo.mongodb.org/mongo-driver v1.15.0 // indirect\n)\nrequire github.com/segmentio/kafka-go v0.4.47\n',
        Gemfile: "source 'https://rubygems.org'\ngem 'rails'\ngem \"pg\", '~> 1.5'\ngem 'sidekiq'\n",
        'pom.xml':
          '<dependency>\n  <groupId>org.postgresql</groupId>\n  <artifactId>postgresql</artifactId>\n</dependency>\n<dependency><artifactId>spring-boot-starter-amqp</artifactId></dependency>\n',
        'svc/build.gradle.kts':
          'dependencies {\n    implementation("org.springframework.kafka:spring-kafka")\n    implementation("co.elastic.clients:elasticsearch-java:8.13.0")\n    testImplementation("org.testcontainers:mongodb")\n}\n',
      }),
    ).toEqual([
      'postgres pg Gemfile:3',
      'redis sidekiq Gemfile:4',
      'redis github.com/redis/go-redis/v9 go.mod:4',
      'postgres github.com/jackc/pgx/v5 go.mod:5',
      'mongodb go.mongodb.org/mongo-driver go.mod:6',
      'kafka github.com/segmentio/kafka-go go.mod:8',
      'postgres postgresql pom.xml:3',
      'rabbitmq spring-boot-starter-amqp pom.xml:5',
      'kafka spring-kafka svc/build.gradle.kts:2',
      'elasticsearch elasticsearch-java svc/build.gradle.kts:3',
    ]);
  });

  it('knows dependency files by name', () => {
    expect(dependencyFileEcosystem('requirements-dev.txt')).toBe('python');
    expect(dependencyFileEcosystem('app/requirements/base.in')).toBe('python');
    expect(dependencyFileEcosystem('README.md')).toBeUndefined();
    expect(dependencyFileEcosystem('package-lock.json')).toBeUndefined();
  });
});
